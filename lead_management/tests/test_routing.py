from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestRouting(LeadManagementCommon):
    """A lead's territory team wins over the team crm gives it from its
    salesperson (sales_team's default team), never over a team given."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_integration = mail_new_test_user(
            cls.env,
            login="lm_integration",
            name="Tích hợp Website",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.team_sales = cls.env["crm.team"].create({"name": "Sales"})
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_sales.id, "user_id": cls.user_integration.id}
        )

    def _create(self, **values):
        return (
            self.env["crm.lead"]
            .with_user(self.user_integration)
            .create({"name": "Khách Sài Gòn", "type": "lead", **values})
        )

    def test_territory_team_wins_over_default_team(self):
        # crm alone would give the creating user's own team
        self.assertEqual(
            self.env["crm.team"]
            .with_user(self.user_integration)
            ._get_default_team_id(user_id=self.user_integration.id),
            self.team_sales,
        )
        lead = self._create(state_id=self.state_sg.id, country_id=self.vn.id)
        self.assertEqual(lead.user_id, self.user_integration)
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.assertEqual(lead.team_id, self.team_south)
        lead = self._create(zip="11000", country_id=self.vn.id)
        self.assertEqual(lead.territory_id, self.territory_hn)
        self.assertEqual(lead.team_id, self.team_north)
        self.assertEqual(lead.regional_manager_id, self.user_regional)
        self.assertEqual(lead.team_leader_id, self.user_team_leader)

    def test_given_team_wins_over_territory_team(self):
        lead = self._create(state_id=self.state_sg.id, team_id=self.team_sales.id)
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.assertEqual(lead.team_id, self.team_sales)
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_integration)
            .with_context(default_team_id=self.team_north.id)
            .create({"name": "Từ pipeline Miền Bắc", "state_id": self.state_sg.id})
        )
        self.assertEqual(lead.team_id, self.team_north, "the context's default team")

    def test_without_territory_team_crm_default_is_kept(self):
        lead = self._create(country_id=self.be.id)
        self.assertFalse(lead.territory_id)
        self.assertEqual(lead.team_id, self.team_sales)
        lead = self._create(state_id=self.state_dn.id, country_id=self.vn.id)
        self.assertEqual(lead.territory_id, self.territory_vn, "a territory, no team")
        self.assertEqual(lead.team_id, self.team_sales)

    def test_batch_routes_each_lead(self):
        leads = self._create_batch(
            [
                {"state_id": self.state_sg.id},
                {"state_id": self.state_hn.id},
                {"state_id": self.state_sg.id, "team_id": self.team_north.id},
                {"country_id": self.be.id},
            ]
        )
        self.assertEqual(
            [lead.team_id for lead in leads],
            [self.team_south, self.team_north, self.team_north, self.team_sales],
        )

    def test_existing_lead_keeps_its_team_when_the_address_changes(self):
        lead = self._create(state_id=self.state_sg.id)
        lead.write({"state_id": self.state_hn.id})
        self.assertEqual(lead.territory_id, self.territory_hn)
        self.assertEqual(lead.team_id, self.team_south, "a stored team is kept")

    def _create_batch(self, vals_list):
        return (
            self.env["crm.lead"]
            .with_user(self.user_integration)
            .create(
                [
                    {"name": f"Lô {index}", "type": "lead", **vals}
                    for index, vals in enumerate(vals_list)
                ]
            )
        )
