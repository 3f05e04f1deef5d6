from lxml import etree
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestScoringRule(LeadScoringCommon):
    def test_invalid_domains_refused(self):
        cases = [
            ("[('no_such_field', '=', 1)]", "no_such_field"),
            ("[('name', '=', 'x'", "syntax error"),
            ("[('name', 'equals', 'x')]", "equals"),
            ("'not a domain'", "list of conditions"),
        ]
        for domain, expected in cases:
            with self.subTest(domain=domain), self.assertRaises(ValidationError) as ctx:
                self.Rule.create({"name": "Bad", "points": 1, "domain": domain})
            self.assertIn(expected, str(ctx.exception))
        rule = self._create_rule("Good", 1, [("name", "=", "x")])
        with self.assertRaises(ValidationError):
            rule.domain = "[('country_id.no_field', '=', 1)]"

    def test_points_range(self):
        with self.assertRaisesRegex(ValidationError, "between -1000 and 1000"):
            self._create_rule("Too much", 1001, [])
        # the database refuses them too
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.env.cr.execute(
                "INSERT INTO crm_lead_scoring_rule (name, points, domain)"
                " VALUES ('{\"en_US\": \"x\"}', 1001, '[]')"
            )

    def test_broken_rule_skipped(self):
        good = self._create_rule("Good", 5, [("name", "ilike", "lead")])
        broken = self._create_rule("Soon broken", 7, [("name", "ilike", "lead")])
        lead = self._create_lead("A lead")
        self.assertEqual(lead.lead_score, 12)
        # as after uninstalling the module that defined the field
        self._set_rule_domain_in_sql(broken, "[('x_removed_field', '=', 1)]")
        with self.assertLogs(
            "odoo.addons.lead_scoring.models.crm_lead_scoring_rule", "WARNING"
        ) as logs:
            self.Lead._cron_recompute_lead_scores()
        self.assertIn("Soon broken", logs.output[0])
        self.assertEqual(lead.lead_score, 5, "the broken rule no longer counts")
        self.assertEqual(lead.score_rule_ids, good)
        self.assertIn("x_removed_field", broken.error_message)
        self.assertFalse(good.error_message)
        self.assertEqual(broken.lead_count, 0)
        # fixed: the error goes and the points come back
        broken.domain = repr([("name", "ilike", "lead")])
        self.assertFalse(broken.error_message)
        self.assertEqual(lead.lead_score, 12)

    def test_lead_count_and_preview(self):
        leads = self.Lead.create([{"name": f"Preview {i}"} for i in range(3)])
        self._create_lead("Other")
        rule = self._create_rule("Preview", 3, [("name", "ilike", "preview")])
        self.assertEqual(rule.lead_count, 3)
        action = rule.action_preview_leads()
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(self.Lead.search(action["domain"]), leads)

    def test_example_rules_installed_archived(self):
        examples = self.Rule.with_context(active_test=False).search(
            [
                (
                    "id",
                    "in",
                    [
                        self.env.ref(
                            "lead_scoring.crm_lead_scoring_rule_country_belgium"
                        ).id
                    ],
                )
            ]
        )
        self.assertEqual(len(examples), 1)
        self.assertFalse(examples.active)
        all_examples = self.env["ir.model.data"].search(
            [("module", "=", "lead_scoring"), ("model", "=", "crm.lead.scoring.rule")]
        )
        self.assertGreaterEqual(len(all_examples), 6)
        for rule in self.Rule.with_context(active_test=False).browse(
            all_examples.mapped("res_id")
        ):
            self.assertFalse(rule._get_domain_error(), rule.name)

    def test_scored_leads_count_and_domain_count(self):
        """The rule counts the leads it scores (open: active, not won); the
        domain editor under it counts every active lead matching the domain,
        won ones included: both are labelled so."""
        domain = [("name", "ilike", "đếm")]
        leads = self.Lead.create([{"name": f"Lead đếm {i}"} for i in range(3)])
        leads[0].stage_id = self.env["crm.stage"].create(
            {"name": "Won for count", "is_won": True}
        )
        leads[1].action_archive()
        rule = self._create_rule("Count", 5, domain)
        self.assertEqual(rule.lead_count, 1)
        self.assertEqual(self.Lead.search_count(domain), 2, "the editor's count")
        self.assertEqual(
            self.Rule.fields_get(["lead_count"], ["string"])["lead_count"]["string"],
            "Scored Leads",
        )
        views = self.Rule.get_views([(False, "list"), (False, "form")])["views"]
        column = etree.fromstring(views["list"]["arch"]).xpath(
            "//field[@name='lead_count']"
        )[0]
        self.assertEqual(column.get("width"), "120px", "the header is not cut")
        form = etree.fromstring(views["form"]["arch"])
        note = form.xpath("//div[contains(@class, 'o_lead_scoring_rule_count_note')]")
        self.assertIn("includes the won leads", "".join(note[0].itertext()))

    def test_demo_turns_rule_based_assignment_on(self):
        team = self.env.ref(
            "sales_team.team_sales_department", raise_if_not_found=False
        )
        if not self.env.ref(
            "lead_scoring.crm_lead_scoring_rule_email_demo", raise_if_not_found=False
        ):
            self.skipTest("no demo data")
        self.assertEqual(team.min_score, 40)
        self.assertTrue(team.assignment_enabled, "the team's minimum score shows")
        self.assertFalse(
            self.env.ref("crm.ir_cron_crm_lead_assign").active,
            "crm's scheduled assignment stays off",
        )
