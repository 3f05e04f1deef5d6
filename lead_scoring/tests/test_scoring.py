from freezegun import freeze_time

from odoo.tests import tagged

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestLeadScoring(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_be = cls._create_rule(
            "Belgium", 8, [("country_id", "=", cls.country_be.id)]
        )
        cls.rule_campaign = cls._create_rule(
            "Campaign", 15, [("campaign_id", "=", cls.campaign.id)]
        )
        cls.rule_gmail = cls._create_rule(
            "Gmail", -5, [("email_from", "ilike", "@gmail.")]
        )
        cls.rule_vip = cls._create_rule("VIP", 30, [("tag_ids", "in", cls.tag_vip.ids)])
        cls.rule_revenue = cls._create_rule(
            "Big deal", 12, [("expected_revenue", ">=", 10000)]
        )

    def test_exact_sum_positive_and_negative(self):
        lead = self._create_lead(
            "Belgian gmail",
            country_id=self.country_be.id,
            campaign_id=self.campaign.id,
            email_from="someone@gmail.com",
        )
        self.assertEqual(lead.lead_score, 8 + 15 - 5)
        self.assertEqual(
            lead.score_rule_ids, self.rule_be | self.rule_campaign | self.rule_gmail
        )
        other = self._create_lead("Nothing", email_from="x@acme.com")
        self.assertEqual(other.lead_score, 0)
        self.assertFalse(other.score_rule_ids)
        only_negative = self._create_lead("Negative", email_from="x@gmail.com")
        self.assertEqual(only_negative.lead_score, -5)

    def test_search_leads_by_matched_rule(self):
        belgian = self._create_lead("Belgian", country_id=self.country_be.id)
        vip = self._create_lead("VIP", tag_ids=[(6, 0, self.tag_vip.ids)])
        nothing = self._create_lead("Nothing", email_from="x@acme.com")
        leads = belgian | vip | nothing
        Lead = self.Lead.with_context(active_test=False)
        scope = [("id", "in", leads.ids)]
        self.assertEqual(
            Lead.search(scope + [("score_rule_ids", "in", self.rule_be.ids)]), belgian
        )
        self.assertEqual(
            Lead.search(scope + [("score_rule_ids", "=", self.rule_vip.id)]), vip
        )
        # the search view's field searches by rule name
        self.assertEqual(
            Lead.search(scope + [("score_rule_ids", "ilike", "belg")]), belgian
        )
        self.assertEqual(
            Lead.search(scope + [("score_rule_ids", "not in", self.rule_be.ids)]),
            vip | nothing,
        )
        self.assertEqual(Lead.search(scope + [("score_rule_ids", "=", False)]), nothing)
        self.assertEqual(
            Lead.search(scope + [("score_rule_ids", "!=", False)]), belgian | vip
        )

    def test_points_drop_when_lead_stops_matching(self):
        lead = self._create_lead(
            "Lead", country_id=self.country_be.id, tag_ids=[(6, 0, self.tag_vip.ids)]
        )
        self.assertEqual(lead.lead_score, 38)
        lead.write({"country_id": self.country_vn.id})
        self.assertEqual(lead.lead_score, 30)
        self.assertEqual(lead.score_rule_ids, self.rule_vip)
        lead.write({"tag_ids": [(5, 0, 0)]})
        self.assertEqual(lead.lead_score, 0)
        self.assertFalse(lead.score_rule_ids)
        # history: one line per change, newest first
        self.assertEqual(
            [(h.old_score, h.new_score) for h in lead.score_history_ids],
            [(30, 0), (38, 30), (0, 38)],
        )
        # writing an unrelated field does not add history
        lead.write({"description": "no change"})
        self.assertEqual(len(lead.score_history_ids), 3)

    def test_rule_changes_update_scores(self):
        lead = self._create_lead(
            "Lead", country_id=self.country_be.id, expected_revenue=20000
        )
        self.assertEqual(lead.lead_score, 20)
        self.rule_be.points = 10
        self.assertEqual(lead.lead_score, 22)
        self.rule_revenue.action_archive()
        self.assertEqual(lead.lead_score, 10)
        self.assertEqual(lead.score_rule_ids, self.rule_be)
        self.rule_revenue.action_unarchive()
        self.assertEqual(lead.lead_score, 22)
        self.rule_be.domain = repr([("country_id", "=", self.country_vn.id)])
        self.assertEqual(lead.lead_score, 12)
        # back and forth in one transaction: the domains are compiled again
        self.rule_be.domain = repr([("country_id", "=", self.country_be.id)])
        self.assertEqual(lead.lead_score, 22)
        self.rule_be.domain = repr([("country_id", "=", self.country_vn.id)])
        self.assertEqual(lead.lead_score, 12)
        self.rule_revenue.unlink()
        self.assertEqual(lead.lead_score, 0)
        new_rule = self._create_rule("Named", 7, [("name", "=", "Lead")])
        self.assertEqual(lead.lead_score, 7)
        self.assertEqual(new_rule.lead_count, 1)

    def test_won_and_archived_leads_not_rescored(self):
        lead = self._create_lead("Lead", country_id=self.country_be.id)
        self.assertEqual(lead.lead_score, 8)
        lead.action_archive()
        self.rule_be.points = 100
        self.assertEqual(lead.lead_score, 8, "archived leads keep their last score")
        lead.action_unarchive()
        self.assertEqual(lead.lead_score, 100)

    def test_multi_company(self):
        rule_c2 = self._create_rule(
            "Company 2 only", 50, [("name", "ilike", "shared")], company=self.company_2
        )
        lead_c1 = self._create_lead("shared 1", company_id=self.company.id)
        lead_c2 = self._create_lead("shared 2", company_id=self.company_2.id)
        self.assertEqual(lead_c1.lead_score, 0)
        self.assertEqual(lead_c2.lead_score, 50)
        self.assertEqual(lead_c2.score_rule_ids, rule_c2)
        rule_c2.points = 60
        self.assertEqual(lead_c1.lead_score, 0)
        self.assertEqual(lead_c2.lead_score, 60)
        # company-less rules score every company's leads
        self._create_rule("Everyone", 1, [("name", "ilike", "shared")])
        self.assertEqual((lead_c1.lead_score, lead_c2.lead_score), (1, 61))

    def test_leads_without_company(self):
        """crm leaves unassigned leads without company: every company's rules
        score them, and they lose the other companies' rules when they get a
        company."""
        rule_c1 = self._create_rule(
            "Company 1", 7, [("name", "ilike", "nocomp")], company=self.company
        )
        rule_c2 = self._create_rule(
            "Company 2", 50, [("name", "ilike", "nocomp")], company=self.company_2
        )
        lead = self._create_lead("nocomp", user_id=False, team_id=False)
        lead.company_id = False
        self.assertFalse(lead.company_id)
        self.assertEqual(lead.lead_score, 7 + 50)
        self.assertEqual(lead.score_rule_ids, rule_c1 | rule_c2)
        lead.company_id = self.company
        self.assertEqual(lead.lead_score, 7)
        lead.company_id = self.company_2
        self.assertEqual(lead.lead_score, 50)
        # a team of company 1 gives its company to the lead (crm's compute)
        team = self.env["crm.team"].create(
            {"name": "Company 1 team", "company_id": self.company.id}
        )
        lead.write({"company_id": False})
        lead.write({"team_id": team.id})
        self.assertEqual(lead.company_id, self.company)
        self.assertEqual(lead.lead_score, 7)
        self.assertEqual(rule_c1.lead_count, 1)
        self.assertEqual(rule_c2.lead_count, 0)

    def test_only_writes_the_rules_read_rescore(self):
        """Writing a field no active rule reads costs no scoring query; with no
        active rule at all, nothing is scored."""
        self.Rule.search([]).action_archive()
        lead = self._create_lead("idle", country_id=self.country_be.id)
        self.assertEqual(lead.lead_score, 0)

        def count(values):
            lead.flush_recordset()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            lead.write(values)
            lead.flush_recordset()
            return self.cr.sql_log_count - start

        no_rule = count({"country_id": self.country_vn.id})
        self._create_rule("Named", 3, [("name", "ilike", "idle")])
        self.assertEqual(lead.lead_score, 3)
        count({"country_id": self.country_vn.id})  # loads the rules once
        self.assertEqual(count({"country_id": self.country_be.id}), no_rule)
        self.assertGreater(count({"name": "idle again"}), 1)
        self.assertEqual(lead.lead_score, 3)
        lead.name = "renamed"
        self.assertEqual(lead.lead_score, 0)

    def test_deterministic(self):
        leads = self.Lead.create(
            [
                {
                    "name": f"Lead {i}",
                    "country_id": self.country_be.id,
                    "expected_revenue": i * 1000,
                }
                for i in range(20)
            ]
        )
        scores = leads.mapped("lead_score")
        self.Lead._cron_recompute_lead_scores()
        self.assertEqual(leads.mapped("lead_score"), scores)
        self.assertEqual(scores, [8] * 10 + [20] * 10)

    def test_time_based_rule_by_cron(self):
        with freeze_time("2026-01-01 10:00:00"):
            lead = self._create_lead("Old lead")
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = '2026-01-01 10:00:00' WHERE id = %s",
                [lead.id],
            )
            lead.invalidate_recordset(["create_date"])
            self._create_rule(
                "Older than 30 days",
                -10,
                "[('create_date', '<', (context_today() - relativedelta(days=30))"
                ".strftime('%Y-%m-%d'))]",
            )
            self.assertEqual(lead.lead_score, 0)
        with freeze_time("2026-02-15 10:00:00"):
            self.Lead._cron_recompute_lead_scores()
            self.assertEqual(lead.lead_score, -10)

    def test_action_recompute_score(self):
        lead = self._create_lead("Lead", country_id=self.country_be.id)
        self.env.cr.execute(
            "UPDATE crm_lead_score SET score = 999 WHERE lead_id = %s", [lead.id]
        )
        lead.invalidate_recordset(["lead_score"])
        self.assertEqual(lead.lead_score, 999)
        lead.action_recompute_score()
        self.assertEqual(lead.lead_score, 8)
