from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_crm_conversion_records_converter(self):
        """crm's own conversion (API, merge) also records who converted."""
        lead = self.env["crm.lead"].create(
            {"name": "Convert me", "type": "lead", "partner_name": "Công ty ABC"}
        )
        self.assertFalse(lead.converted_by_id)
        lead.convert_opportunity(self.env["res.partner"])
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.env.user)
        self.assertTrue(lead.date_conversion)
