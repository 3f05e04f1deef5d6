from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_converted_by_recorded(self):
        lead = self.env["crm.lead"].create(
            {"name": "Convert me", "type": "lead", "partner_name": "Công ty ABC"}
        )
        self.assertFalse(lead.converted_by_id)
        wizard = (
            self.env["crm.lead2opportunity.partner"]
            .with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
            .create({"name": "convert", "action": "nothing"})
        )
        wizard.action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.env.user)
