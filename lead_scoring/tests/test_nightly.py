from freezegun import freeze_time

from odoo.addons.lead_scoring.models.crm_lead import defer_scoring
from odoo.tests import tagged

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestNightlyPass(LeadScoringCommon):
    """The nightly pass rescores the leads whose matches changed without a
    write of theirs, and only those."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's leads are scored (the demo leads leave the scope)
        defer_scoring(cls.env["crm.lead"]).search([]).write({"active": False})
        cls.env["crm.lead.scoring.job"].search([]).unlink()

    def test_rules_changing_without_write(self):
        expected = {
            # relative to today
            "[('create_date', '<', (context_today() - relativedelta(days=30))"
            ".strftime('%Y-%m-%d'))]": True,
            # computed from the customer's email and phone
            "[('email_from', 'ilike', '.vn')]": True,
            "[('phone', '!=', False)]": True,
            # written in SQL by crm's predictive lead scoring
            "[('probability', '>=', 50)]": True,
            # another record's value
            "[('partner_id.name', 'ilike', 'an')]": True,
            "[('tag_ids', 'any', [('name', '=', 'VIP')])]": True,
            # non-stored
            "[('activity_state', '=', 'overdue')]": True,
            # stored, written only through the lead's own write
            "[('expected_revenue', '>=', 1000)]": False,
            "[('tag_ids', 'in', [1])]": False,
            "[('stage_id', '=', 1), ('priority', '=', '3')]": False,
            "[('company_id', '=', 1), ('team_id', '!=', False)]": False,
            "[]": False,
        }
        rules = defer_scoring(self.Rule).create(
            [
                {"name": f"Rule {index}", "points": 1, "domain": domain}
                for index, domain in enumerate(expected)
            ]
        )
        self.assertEqual(
            {rule.domain: rule._changes_without_write() for rule in rules}, expected
        )

    def test_only_drifted_leads_rescored(self):
        with freeze_time("2026-01-01 10:00:00"):
            old, recent = self.Lead.create(
                [{"name": "Nightly old"}, {"name": "Nightly recent"}]
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                ["2026-01-01 10:00:00", old.id],
            )
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                ["2026-02-10 10:00:00", recent.id],
            )
            (old | recent).invalidate_recordset(["create_date"])
            self._create_rule("Nightly", 5, [("name", "ilike", "nightly")])
            self._create_rule(
                "Older than 30 days",
                -10,
                "[('create_date', '<', (context_today() - relativedelta(days=30))"
                ".strftime('%Y-%m-%d'))]",
            )
            self.assertEqual((old | recent).mapped("lead_score"), [5, 5])
        # a score changed in SQL, not by a change of the lead nor of a rule
        self.env.cr.execute(
            "UPDATE crm_lead_score SET score = 99 WHERE lead_id = %s", [recent.id]
        )
        recent.invalidate_recordset(["lead_score"])
        with freeze_time("2026-02-15 10:00:00"):
            self.Lead._cron_recompute_lead_scores()
            self.assertEqual(old.lead_score, -5)
            self.assertEqual(old.score_history_ids[0].old_score, 5)
            # the other lead's matches did not change: the nightly pass does
            # not evaluate its rules again (Recompute Scores does)
            self.assertEqual(recent.lead_score, 99)
            self.assertEqual(len(recent.score_history_ids), 1)
            recent.action_recompute_score()
            self.assertEqual(recent.lead_score, 5)

    def test_customer_email_and_sql_probability(self):
        partner = self.env["res.partner"].create(
            {"name": "Nightly Customer", "email": "buyer@example.com"}
        )
        lead = self._create_lead("Nightly lead", partner_id=partner.id)
        self._set_lead_in_sql(lead, "probability", 10)
        self._create_rule("Vietnamese email", 5, [("email_from", "ilike", ".vn")])
        self._create_rule("Likely", 3, [("probability", ">=", 50)])
        self.assertEqual(lead.lead_score, 0)
        # the lead's email follows its customer's, recomputed by the ORM
        partner.email = "buyer@example.vn"
        self.assertEqual(lead.email_from, "buyer@example.vn")
        self._set_lead_in_sql(lead, "probability", 60)
        self.Lead._cron_recompute_lead_scores()
        self.assertEqual(lead.lead_score, 8)
        self.assertEqual(
            lead.score_rule_ids.mapped("name"), ["Vietnamese email", "Likely"]
        )

    def test_rule_broken_without_write(self):
        lead, other = self.Lead.create(
            [{"name": "Nightly lead"}, {"name": "Nightly other"}]
        )
        kept = self._create_rule("Kept", 2, [("name", "ilike", "nightly")])
        broken = self._create_rule("Broken", 7, [("name", "ilike", "nightly")])
        self.assertEqual(lead.lead_score, 9)
        # as after uninstalling the module that defined the field
        self._set_rule_domain_in_sql(broken, "[('x_removed_field', '=', 1)]")
        # the next scoring of any lead finds the rule broken: every lead it
        # concerns loses its points, as if it was archived
        with self.assertLogs(
            "odoo.addons.lead_scoring.models.crm_lead_scoring_rule", "WARNING"
        ):
            other.name = "Nightly other lead"
        self.assertEqual(lead.lead_score, 2)
        self.assertEqual(lead.score_rule_ids, kept)
        self.assertEqual(other.lead_score, 2)
        # mended without a write of the rule (the module back): restored
        self._set_rule_domain_in_sql(broken, "[('name', 'ilike', 'nightly')]")
        self.Lead._cron_recompute_lead_scores()
        self.assertFalse(broken.error_message)
        self.assertEqual(lead.lead_score, 9)

    def test_nothing_changed_nothing_written(self):
        leads = self.Lead.create([{"name": f"Nightly {i}"} for i in range(5)])
        self._create_rule("Nightly", 5, [("name", "ilike", "nightly")])
        self._create_rule("Likely", 3, [("probability", ">=", 50)])
        history = self.env["crm.lead.score.history"].search_count([])
        scores = leads.mapped("lead_score")
        self.Lead._cron_recompute_lead_scores()
        self.assertEqual(leads.mapped("lead_score"), scores)
        self.assertEqual(self.env["crm.lead.score.history"].search_count([]), history)

    def test_reopened_won_stage(self):
        stage = self.env["crm.stage"].create({"name": "Nightly Won", "is_won": True})
        self._create_rule("Nightly", 5, [("name", "ilike", "nightly")])
        lead = self.Lead.create(
            {"name": "Nightly won", "type": "opportunity", "stage_id": stage.id}
        )
        self.assertEqual(lead.lead_score, 0, "a won lead is not scored")
        stage.is_won = False
        self.assertEqual(lead.lead_score, 5)
        stage.is_won = True
        self.assertEqual(lead.lead_score, 5, "kept as it was when won")
