from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestTerritory(LeadManagementCommon):
    def test_match_most_specific(self):
        Lead = self.env["crm.lead"]
        by_zip_long = Lead.create(
            {"name": "ZIP 100000", "zip": "100000", "country_id": self.vn.id}
        )
        by_zip = Lead.create(
            {"name": "ZIP 11", "zip": "115000", "country_id": self.vn.id}
        )
        by_state = Lead.create(
            {"name": "State", "state_id": self.state_sg.id, "country_id": self.vn.id}
        )
        by_country = Lead.create(
            {"name": "Country", "state_id": self.state_dn.id, "country_id": self.vn.id}
        )
        nowhere = Lead.create({"name": "Belgium", "country_id": self.be.id})
        self.assertEqual(by_zip_long.territory_id, self.territory_hn_center)
        self.assertEqual(by_zip.territory_id, self.territory_hn)
        self.assertEqual(by_state.territory_id, self.territory_sg)
        self.assertEqual(by_country.territory_id, self.territory_vn)
        self.assertFalse(nowhere.territory_id)

    def test_address_change_updates_territory_and_team(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Moves",
                "country_id": self.be.id,
                "user_id": False,
                "team_id": False,
            }
        )
        self.assertFalse(lead.territory_id)
        self.assertFalse(lead.team_id)
        lead.write({"country_id": self.vn.id, "state_id": self.state_hn.id})
        self.assertEqual(lead.territory_id, self.territory_hn)
        self.assertEqual(lead.regional_manager_id, self.user_regional)
        self.assertEqual(lead.team_id, self.team_north, "territory's team fills it")
        self.assertEqual(lead.team_leader_id, self.user_team_leader)
        # a team already set is kept
        lead.write({"state_id": self.state_sg.id})
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.assertEqual(lead.team_id, self.team_north)

    def test_manual_territory_kept(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Manual",
                "country_id": self.vn.id,
                "territory_id": self.territory_sg.id,
            }
        )
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.assertTrue(lead.territory_is_manual)
        lead.write({"state_id": self.state_hn.id, "zip": "100100"})
        self.assertEqual(lead.territory_id, self.territory_sg)
        # choosing by hand the same as the address match is not "manual"
        lead2 = self.env["crm.lead"].create(
            {
                "name": "Same as match",
                "state_id": self.state_hn.id,
                "country_id": self.vn.id,
                "territory_id": self.territory_hn.id,
            }
        )
        self.assertFalse(lead2.territory_is_manual)
        lead2.write({"state_id": self.state_sg.id})
        self.assertEqual(lead2.territory_id, self.territory_sg)

    def test_regional_manager_follows_territory(self):
        lead = self.env["crm.lead"].create(
            {
                "name": "Manager",
                "state_id": self.state_hn.id,
                "country_id": self.vn.id,
                "user_id": False,
                "team_id": False,
            }
        )
        self.territory_hn.manager_id = self.user_manager
        self.assertEqual(lead.regional_manager_id, self.user_manager)
        self.team_north.user_id = self.user_manager
        self.assertEqual(lead.team_leader_id, self.user_manager)

    def test_zip_prefix_junk_reported(self):
        self.territory_sg.zip_prefixes = "70, 7?1, ,  abc def!, 71"
        valid, ignored = self.territory_sg._split_zip_prefixes()
        self.assertEqual(valid, ["70", "71"])
        self.assertEqual(ignored, ["7?1", "ABCDEF!"])
        self.assertIn("7?1", self.territory_sg.zip_prefix_warning)
        lead = self.env["crm.lead"].create(
            {"name": "ZIP 71", "zip": "71 000", "country_id": self.vn.id}
        )
        self.assertEqual(lead.territory_id, self.territory_sg)

    def test_no_cycle(self):
        with self.assertRaisesRegex(ValidationError, "own parent"):
            self.territory_vn.parent_id = self.territory_vn
        with self.assertRaisesRegex(ValidationError, "own parent"):
            self.territory_vn.parent_id = self.territory_hn_center
        self.territory_vn.invalidate_recordset()
        self.assertFalse(self.territory_vn.parent_id)

    def test_archive_keeps_link(self):
        lead = self.env["crm.lead"].create(
            {"name": "Archive", "state_id": self.state_sg.id, "country_id": self.vn.id}
        )
        self.territory_sg.action_archive()
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.assertEqual(lead.regional_manager_id, self.territory_sg.manager_id)
        self.assertIn(
            lead,
            self.env["crm.lead"].search([("territory_id", "=", self.territory_sg.id)]),
        )

    def test_territory_company(self):
        other = self.env["res.company"].create({"name": "Công ty Khác"})
        territory = self.env["crm.territory"].create(
            {
                "name": "Other",
                "company_id": other.id,
                "country_ids": [(6, 0, self.be.ids)],
            }
        )
        lead = self.env["crm.lead"].create({"name": "Mine", "country_id": self.be.id})
        self.assertNotEqual(lead.territory_id, territory, "another company's territory")
