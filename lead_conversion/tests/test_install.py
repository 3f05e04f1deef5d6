from odoo.tests import tagged

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestInstall(LeadConversionCommon):
    def test_crm_conversion_records_converter(self):
        """crm's own conversion (API, assignment, merge) also records who
        converted."""
        lead = self._lead()
        self.assertFalse(lead.converted_by_id)
        lead.convert_opportunity(self.env["res.partner"])
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.env.user)
        self.assertTrue(lead.date_conversion)

    def test_no_wizard_of_its_own(self):
        """crm's wizards are extended, none is added: nothing to restore when
        the addon goes."""
        self.assertNotIn("crm.lead.conversion", self.env)
        self.assertFalse(self.env["ir.model"]._get("crm.lead.conversion"))
        actions = self.env["ir.model.data"].search(
            [("module", "=", "lead_conversion"), ("model", "like", "ir.actions%")]
        )
        self.assertFalse(actions)
