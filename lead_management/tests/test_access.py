from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestAccess(LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        cls.lead_own = Lead.create({"name": "Own", "user_id": cls.user_salesman.id})
        cls.lead_unassigned = Lead.create({"name": "Unassigned", "user_id": False})
        cls.lead_team_north = Lead.create(
            {
                "name": "North colleague",
                "user_id": cls.user_all_leads.id,
                "team_id": cls.team_north.id,
            }
        )
        cls.lead_team_south = Lead.create(
            {
                "name": "South",
                "user_id": cls.user_salesman_other.id,
                "team_id": cls.team_south.id,
            }
        )
        cls.lead_territory_hn = Lead.create(
            {
                "name": "HN territory, south team",
                "user_id": cls.user_salesman_other.id,
                "team_id": cls.team_south.id,
                "territory_id": cls.territory_hn.id,
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Công ty Khác"})
        cls.territory_other_company = cls.env["crm.territory"].create(
            {"name": "Other company", "company_id": cls.other_company.id}
        )
        cls.all_leads = (
            cls.lead_own
            | cls.lead_unassigned
            | cls.lead_team_north
            | cls.lead_team_south
            | cls.lead_territory_hn
        )

    def _visible(self):
        return self.env["crm.lead"].search([("id", "in", self.all_leads.ids)])

    def test_group_hierarchy(self):
        leader_group = self.env.ref("lead_management.group_sale_team_leader")
        self.assertIn(
            self.env.ref("sales_team.group_sale_salesman"), leader_group.implied_ids
        )
        self.assertIn(
            leader_group,
            self.env.ref("sales_team.group_sale_salesman_all_leads").implied_ids,
        )
        self.assertTrue(
            self.user_manager.has_group("lead_management.group_sale_team_leader")
        )
        self.assertFalse(
            self.user_salesman.has_group("lead_management.group_sale_team_leader")
        )

    @users("lm_salesman")
    def test_salesman_leads(self):
        self.assertEqual(self._visible(), self.lead_own | self.lead_unassigned)
        with self.assertRaises(AccessError):
            self.lead_team_north.with_user(self.env.user).read(["name"])
        with self.assertRaises(AccessError):
            self.lead_team_south.with_user(self.env.user).write({"name": "x"})
        lead = self.env["crm.lead"].create({"name": "Created by salesman"})
        lead.write({"lead_status_id": self.status_interested.id})
        self.assertEqual(lead.lead_status_id, self.status_interested)

    @users("lm_team_leader")
    def test_team_leader_leads(self):
        self.assertEqual(
            self._visible(),
            self.lead_own | self.lead_unassigned | self.lead_team_north,
        )
        self.lead_team_north.with_user(self.env.user).write(
            {"priority": "2"}
        )  # allowed
        with self.assertRaises(AccessError):
            self.lead_team_south.with_user(self.env.user).write({"name": "x"})

    @users("lm_regional")
    def test_regional_manager_leads(self):
        visible = self._visible()
        self.assertIn(self.lead_territory_hn, visible)
        self.assertNotIn(self.lead_team_south, visible)
        self.lead_territory_hn.with_user(self.env.user).write({"priority": "1"})

    @users("lm_salesman", "lm_team_leader", "lm_all_leads")
    def test_unlink_leads_forbidden(self):
        """As in crm, only Sales Administrators delete leads, whatever the level."""
        for lead in (self.lead_own, self.lead_team_north):
            with self.assertRaises(AccessError):
                lead.with_user(self.env.user).unlink()
        self.assertTrue(self.lead_own.exists())

    @users("lm_manager")
    def test_manager_unlink_lead(self):
        self.lead_team_south.with_user(self.env.user).unlink()
        self.assertFalse(self.lead_team_south.exists())

    def test_lead_territory_same_company(self):
        with self.assertRaisesRegex(ValidationError, "belongs to Công ty Khác"):
            self.env["crm.lead"].create(
                {
                    "name": "Wrong company",
                    "company_id": self.company.id,
                    "territory_id": self.territory_other_company.id,
                }
            )
        # a lead of no company may take any territory
        lead = self.env["crm.lead"].create(
            {
                "name": "No company",
                "company_id": False,
                "user_id": False,
                "team_id": False,
                "territory_id": self.territory_other_company.id,
            }
        )
        self.assertEqual(lead.territory_id, self.territory_other_company)

    @users("lm_salesman")
    def test_team_member_not_leader(self):
        """Plain salesmen see their own leads only, even in their team."""
        self.assertNotIn(self.lead_team_north, self._visible())

    @users("lm_all_leads")
    def test_all_documents(self):
        self.assertEqual(self._visible(), self.all_leads)
        self.lead_team_south.with_user(self.env.user).write({"priority": "3"})
        with self.assertRaises(AccessError):
            self.env["crm.lead.status"].create({"name": "Forbidden"})

    @users("lm_salesman", "lm_team_leader", "lm_all_leads")
    def test_statuses_territories_read_only(self):
        status = self.status_potential.with_user(self.env.user)
        territory = self.territory_hn.with_user(self.env.user)
        self.assertEqual(status.name, "Potential")
        self.assertEqual(territory.name, "Hà Nội")
        with self.assertRaises(AccessError):
            status.write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["crm.lead.status"].create({"name": "New"})
        with self.assertRaises(AccessError):
            status.unlink()
        with self.assertRaises(AccessError):
            territory.write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["crm.territory"].create({"name": "New"})
        with self.assertRaises(AccessError):
            territory.unlink()

    @users("lm_manager")
    def test_manager_full(self):
        status = self.env["crm.lead.status"].create({"name": "Đang đàm phán"})
        status.write({"sequence": 1})
        status.unlink()
        territory = self.env["crm.territory"].create({"name": "Cần Thơ"})
        territory.write({"code": "CT"})
        territory.unlink()
        self.assertEqual(
            self.env["crm.lead"].search_count([("id", "in", self.all_leads.ids)]), 5
        )

    @users("lm_manager")
    def test_multi_company_territory(self):
        territories = self.env["crm.territory"].search([])
        self.assertNotIn(self.territory_other_company, territories)
        with self.assertRaises(AccessError):
            self.territory_other_company.with_user(self.env.user).read(["name"])
