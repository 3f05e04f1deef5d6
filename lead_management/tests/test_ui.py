from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLeadUi(HttpCase):
    def test_leads_view_renders(self):
        """CRM > Leads opens and shows the leads list with its records."""
        self.env["crm.lead"].create(
            {"name": "Tour lead Hà Nội", "type": "lead", "user_id": False}
        )
        self.start_tour("/odoo", "lead_management_leads_view", login="admin")
