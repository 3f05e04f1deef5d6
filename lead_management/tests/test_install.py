from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_leads_feature_on_for_internal_users(self):
        """Installing the addon turns on CRM's Leads feature for internal users."""
        group_use_lead = self.env.ref("crm.group_use_lead")
        self.assertIn(group_use_lead, self.env.ref("base.group_user").implied_ids)
        user = self.env["res.users"].create(
            {
                "name": "New Salesman",
                "login": "new_salesman_leads",
                "groups_id": [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        self.assertTrue(user.has_group("crm.group_use_lead"))
