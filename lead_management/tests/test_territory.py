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

    def test_archive_reapplies(self):
        """Archiving a territory gives its leads the next matching territory;
        a territory chosen by hand stays."""
        lead = self.env["crm.lead"].create(
            {"name": "Archive", "state_id": self.state_sg.id, "country_id": self.vn.id}
        )
        manual = self.env["crm.lead"].create(
            {
                "name": "Manual",
                "country_id": self.vn.id,
                "territory_id": self.territory_sg.id,
            }
        )
        self.assertEqual(lead.territory_id, self.territory_sg)
        self.territory_sg.action_archive()
        self.assertEqual(lead.territory_id, self.territory_vn)
        self.assertEqual(manual.territory_id, self.territory_sg)
        self.territory_sg.action_unarchive()
        self.assertEqual(lead.territory_id, self.territory_sg)

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


@tagged("post_install", "-at_install")
class TestTerritoryExistingLeads(LeadManagementCommon):
    """Creating or changing territories re-applies the automatic territories
    to the leads that exist, set-based, without chatter message; leads whose
    territory was chosen by hand keep it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.territory_dn = cls.env["crm.territory"].create(
            {
                "name": "Đà Nẵng",
                "code": "T-DN",
                "parent_id": cls.territory_vn.id,
                "team_id": cls.team_north.id,
            }
        )
        Lead = cls.env["crm.lead"].with_context(tracking_disable=True)
        cls.hcm = Lead.create(
            [
                {
                    "name": f"HCM {index}",
                    "zip": zip_code,
                    "country_id": cls.vn.id,
                    "team_id": False,
                    "user_id": False,
                }
                for index, zip_code in enumerate(["700000", "700 100", " 70 "])
            ]
        )
        cls.danang = Lead.create(
            {
                "name": "Đà Nẵng",
                "state_id": cls.state_dn.id,
                "country_id": cls.vn.id,
                "team_id": False,
                "user_id": False,
            }
        )
        cls.manual = Lead.create(
            {
                "name": "Chosen by hand",
                "zip": "700000",
                "country_id": cls.vn.id,
                "territory_id": cls.territory_hn.id,
            }
        )
        cls.cron = cls.env.ref("lead_management.ir_cron_apply_territories")

    def _messages(self):
        self.env.flush_all()
        self.env.cr.precommit.run()
        return self.env["mail.message"].search_count([])

    def test_new_territory_takes_its_leads(self):
        messages = self._messages()
        center = self.env["crm.territory"].create(
            {
                "name": "Quận 1",
                "parent_id": self.territory_sg.id,
                "zip_prefixes": "7001",
                "team_id": self.team_south.id,
                "manager_id": self.user_regional.id,
            }
        )
        self.assertEqual(self.hcm[0].territory_id, self.territory_sg)
        self.assertEqual(self.hcm[1].territory_id, center, "longest prefix")
        self.assertEqual(self.hcm[2].territory_id, self.territory_sg)
        self.assertEqual(self.hcm[1].regional_manager_id, self.user_regional)
        self.assertFalse(self.hcm[1].territory_is_manual)
        self.assertEqual(self.manual.territory_id, self.territory_hn)
        self.assertEqual(self._messages(), messages, "no chatter message")

    def test_changed_territory_reapplied(self):
        self.assertEqual(self.danang.territory_id, self.territory_vn)
        self.assertFalse(self.danang.team_id)
        self.territory_dn.state_ids = self.state_dn
        self.assertEqual(self.danang.territory_id, self.territory_dn)
        self.assertEqual(self.danang.team_id, self.team_north, "empty team filled")
        self.territory_dn.state_ids = False
        self.assertEqual(self.danang.territory_id, self.territory_vn)
        # ZIP prefixes: the longest prefix wins
        self.territory_dn.zip_prefixes = "7001, 71"
        self.assertEqual(self.hcm[1].territory_id, self.territory_dn)
        self.assertEqual((self.hcm - self.hcm[1]).territory_id, self.territory_sg)
        # a ZIP prefix belongs to one territory of a company
        with self.assertRaises(ValidationError) as error:
            self.territory_dn.zip_prefixes = "70"
        self.assertIn("ZIP prefix 70 is already used", str(error.exception))
        self.assertEqual(self.territory_dn.zip_prefixes, "7001, 71")
        self.territory_dn.zip_prefixes = False
        self.assertEqual(self.hcm.territory_id, self.territory_sg)
        # countries: a ZIP prefix only counts for the territory's countries
        self.territory_sg.country_ids = self.be
        self.assertEqual(self.hcm.territory_id, self.territory_vn)
        self.territory_sg.country_ids = self.vn
        self.assertEqual(self.hcm.territory_id, self.territory_sg)
        # company
        center = self.env["crm.territory"].create(
            {"name": "Trung tâm", "zip_prefixes": "7000"}
        )
        self.assertEqual(self.hcm[0].territory_id, center)
        center.company_id = self.env["res.company"].create({"name": "Công ty Khác"})
        self.assertEqual(self.hcm[0].territory_id, self.territory_sg)
        center.company_id = False
        self.assertEqual(self.hcm[0].territory_id, center)
        self.assertEqual(self.manual.territory_id, self.territory_hn)

    def test_deleted_territory_leads_matched_again(self):
        self.territory_dn.state_ids = self.state_dn
        self.territory_dn.unlink()
        self.assertEqual(self.danang.territory_id, self.territory_vn)

    def test_many_leads_in_background(self):
        # the district takes over the city's ZIP prefix
        self.territory_sg.zip_prefixes = False
        self.assertEqual(self.hcm.territory_id, self.territory_vn)
        self.env["ir.config_parameter"].set_param(
            "lead_management.territory_sync_limit", 2
        )
        Territory = self.env["crm.territory"]
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search_count([("cron_id", "=", self.cron.id)])
        district = Territory.create(
            {"name": "Quận", "parent_id": self.territory_sg.id, "zip_prefixes": "70"}
        )
        self.assertEqual(
            self.hcm.territory_id, self.territory_vn, "3 leads to move: later"
        )
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", self.cron.id)]), triggers + 1
        )
        messages = self._messages()
        self.assertEqual(Territory._cron_apply_to_leads(batch_size=2), 0)
        self.assertEqual(self.hcm.territory_id, district)
        self.assertEqual(self.manual.territory_id, self.territory_hn)
        self.assertEqual(self._messages(), messages, "no chatter message")
        # a run does a bounded number of batches, then reports what is left
        district.action_archive()
        todo = len(Territory._get_lead_changes())
        self.assertGreaterEqual(todo, 3)
        self.assertEqual(
            Territory._cron_apply_to_leads(batch_size=1, batches=2), todo - 2
        )
        self.assertEqual(Territory._cron_apply_to_leads(), 0)
        self.assertEqual(self.hcm.territory_id, self.territory_vn)

    def test_sql_matching_is_python_matching(self):
        """The set-based matching of the stored leads gives what the lead form
        computes: ZIP spacing and case, states, countries, companies."""
        other = self.env["res.company"].create({"name": "Công ty Khác"})
        Territory = self.env["crm.territory"]
        Territory.create(
            [
                {"name": "BE", "country_ids": [(6, 0, self.be.ids)]},
                {
                    "name": "BE 1",
                    "zip_prefixes": "1",
                    "country_ids": [(6, 0, self.be.ids)],
                },
                {
                    "name": "Other DN",
                    "company_id": other.id,
                    "state_ids": [(6, 0, self.state_dn.ids)],
                },
                {"name": "Other 55", "company_id": other.id, "zip_prefixes": "55"},
            ]
        )
        addresses = [
            {"zip": "100000", "country_id": self.vn.id},
            {"zip": "1000 99", "country_id": self.vn.id},
            {"zip": "115000"},
            {"zip": "1000", "country_id": self.be.id},
            {"zip": "2000", "country_id": self.be.id},
            {"zip": "550000", "state_id": self.state_dn.id, "country_id": self.vn.id},
            {"zip": "7a", "country_id": self.vn.id},
            {"state_id": self.state_hn.id},
            {"state_id": self.state_dn.id, "country_id": self.vn.id},
            {"country_id": self.be.id},
            {},
        ]
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        leads = Lead.create(
            [
                dict(address, name=f"Address {index}", company_id=company.id)
                for index, address in enumerate(addresses)
                for company in (self.company, other)
            ]
        )
        expected = Territory._match_leads(leads)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET territory_id = NULL WHERE id IN %s",
            [tuple(leads.ids)],
        )
        self.env.invalidate_all()
        changes = dict(Territory._get_lead_changes(lead_ids=leads.ids))
        self.assertEqual(
            {lead_id: changes.get(lead_id) for lead_id in leads.ids},
            {lead.id: expected[lead.id].id or None for lead in leads},
        )
        self.assertGreater(len(changes), 10)

    def test_queries_do_not_grow_with_leads(self):
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        Territory = self.env["crm.territory"]
        counts = []
        for index, count in enumerate((1, 2, 20)):
            prefix = f"9{index}"
            leads = Lead.create(
                [
                    {
                        "name": f"Bulk {index}",
                        "zip": f"{prefix}0000",
                        "country_id": self.be.id,
                        "team_id": False,
                        "user_id": False,
                    }
                    for __ in range(count)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            territory = Territory.create(
                {
                    "name": f"Bulk {index}",
                    "zip_prefixes": prefix,
                    "team_id": self.team_south.id,
                }
            )
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(
                [(lead.territory_id, lead.team_id) for lead in leads],
                [(territory, self.team_south)] * len(leads),
            )
        self.assertEqual(counts[1], counts[2])
