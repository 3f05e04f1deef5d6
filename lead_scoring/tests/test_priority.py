from odoo.exceptions import ValidationError
from odoo.tests import tagged, users

from .test_engagement import EngagementCommon


class PriorityCommon(EngagementCommon):
    """Both companies grading A from 40 and B from 20 fit points, 1 from 30
    and 2 from 10 engagement points; a strong fit tag (50 points), a good
    fit tag (``good_fit_points``), 15 points for an e-mail received and 20
    more for a second one."""

    good_fit_points = 25

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for company in cls.company | cls.company_2:
            company.write(
                {
                    "lead_fit_grade_a": 40,
                    "lead_fit_grade_b": 20,
                    "lead_engagement_level_1": 30,
                    "lead_engagement_level_2": 10,
                }
            )
        cls.tag_strong = cls.env["crm.tag"].create({"name": "Priority strong"})
        cls.tag_good = cls.env["crm.tag"].create({"name": "Priority good"})
        cls._create_rule("Strong fit", 50, [("tag_ids", "in", cls.tag_strong.ids)])
        cls._create_rule(
            "Good fit", cls.good_fit_points, [("tag_ids", "in", cls.tag_good.ids)]
        )
        cls._create_engagement_rule("Wrote", 15, "email_received")
        cls._create_engagement_rule(
            "Wrote twice", 20, "email_received", event_min_count=2
        )


@tagged("post_install", "-at_install")
class TestLeadPriority(PriorityCommon):
    """The lead priority: fit grade (A, B, C) x engagement level (1, 2, 3)
    from the company's thresholds, computed with the scores."""

    def _lead(self, name, tag=None, emails=0, **values):
        values.setdefault("company_id", self.company.id)
        lead = self._create_lead(
            name, tag_ids=[(6, 0, tag.ids)] if tag else [], **values
        )
        for __ in range(emails):
            self._receive_email(lead)
        return lead

    def _priorities(self, leads):
        self._run_events()
        leads.invalidate_recordset()
        return {lead.name: lead.lead_priority for lead in leads}

    def test_thresholds_place_leads(self):
        leads = (
            self._lead("a1", self.tag_strong, emails=2)  # 50 / 35
            | self._lead("a2", self.tag_strong, emails=1)  # 50 / 15
            | self._lead("a3", self.tag_strong)  # 50 / 0
            | self._lead("b1", self.tag_good, emails=2)  # 25 / 35
            | self._lead("c2", emails=1)  # 0 / 15
            | self._lead("c3")  # no points: no row of crm.lead.score
        )
        self.assertEqual(
            self._priorities(leads),
            {"a1": "A1", "a2": "A2", "a3": "A3", "b1": "B1", "c2": "C2", "c3": "C3"},
        )
        self.assertEqual(
            leads.mapped(
                lambda lead: (lead.lead_fit_grade, lead.lead_engagement_level)
            ),
            [("A", "1"), ("A", "2"), ("A", "3"), ("B", "1"), ("C", "2"), ("C", "3")],
        )
        # searches (the search filters), the lead without row included
        Lead = self.env["crm.lead"]
        scope = [("id", "in", leads.ids)]
        for domain, expected in (
            ([("lead_priority", "in", ["A1", "A2"])], {"a1", "a2"}),
            ([("lead_fit_grade", "=", "A")], {"a1", "a2", "a3"}),
            ([("lead_engagement_level", "=", "1")], {"a1", "b1"}),
            ([("lead_priority", "=", "C3")], {"c3"}),
            ([("lead_engagement_level", "=", "3")], {"a3", "c3"}),
        ):
            with self.subTest(domain=domain):
                found = Lead.search(scope + domain)
                self.assertEqual(set(found.mapped("name")), expected)
        # grouped (the Fit x Engagement pivot), best first
        groups = Lead._read_group(
            scope, ["lead_fit_grade", "lead_engagement_level"], ["__count"]
        )
        self.assertEqual(
            groups,
            [
                ("A", "1", 1),
                ("A", "2", 1),
                ("A", "3", 1),
                ("B", "1", 1),
                ("C", "2", 1),
                ("C", "3", 1),
            ],
        )
        self.assertEqual(
            Lead.search(scope, order="lead_priority, id").mapped("name")[:2],
            ["a1", "a2"],
        )

    def test_threshold_change_moves_the_right_leads(self):
        leads = (
            self._lead("a1", self.tag_strong, emails=2)
            | self._lead("b1", self.tag_good, emails=2)
            | self._lead("other company", self.tag_strong, emails=2)
        )
        leads[2].company_id = self.company_2
        self.assertEqual(
            self._priorities(leads), {"a1": "A1", "b1": "B1", "other company": "A1"}
        )
        history = leads.score_history_ids
        self.company.write({"lead_fit_grade_a": 60, "lead_engagement_level_1": 40})
        self.assertEqual(
            self._priorities(leads), {"a1": "B2", "b1": "B2", "other company": "A1"}
        )
        self.assertEqual(leads.score_history_ids, history, "no score changed")
        # back: the same leads move back
        self.company.write({"lead_fit_grade_a": 40, "lead_engagement_level_1": 30})
        self.assertEqual(
            self._priorities(leads), {"a1": "A1", "b1": "B1", "other company": "A1"}
        )

    def test_lead_without_company_graded_by_the_main_company(self):
        lead = self._lead("no company", self.tag_strong, emails=2, company_id=False)
        self.company_2.write({"lead_fit_grade_a": 80, "lead_fit_grade_b": 60})
        self.assertEqual(self._priorities(lead), {"no company": "A1"})
        # whoever computes it, in whichever company
        self.Lead.with_user(self.user_sales_manager).with_company(
            self.company_2
        )._scoring_rescore(scope_domain=[("id", "=", lead.id)])
        self.assertEqual(self._priorities(lead), {"no company": "A1"})
        self.company.write({"lead_fit_grade_a": 60})
        self.assertEqual(self._priorities(lead), {"no company": "B1"})

    def test_new_company_graded_with_its_thresholds(self):
        """The thresholds are constants of the scoring statement, grouped by
        company: a company created since, with thresholds of its own, grades
        its leads with them."""
        lead = self._lead("first", self.tag_strong, emails=2)  # 50 / 35
        self.assertEqual(self._priorities(lead), {"first": "A1"})
        company_3 = self.env["res.company"].create(
            {
                "name": "Scoring Company 3",
                "lead_fit_grade_a": 80,
                "lead_fit_grade_b": 45,
                "lead_engagement_level_1": 50,
                "lead_engagement_level_2": 30,
            }
        )
        groups = self.env["res.company"]._get_priority_threshold_groups()
        self.assertIn(((80, 45, 50, 30), (company_3.id,)), groups)
        other = self._lead("third", self.tag_strong, emails=2, company_id=company_3.id)
        self.assertEqual(self._priorities(lead | other), {"first": "A1", "third": "B2"})

    def test_fading_regrades(self):
        """The daily fading pass moves a lead whose engagement points fade
        below a level."""
        self._create_engagement_rule(
            "Fresh e-mail", 20, "email_received", decay_half_life_days=7
        )
        lead = self._lead("fading", self.tag_strong, emails=2)  # 50 / 55
        self.assertEqual(self._priorities(lead), {"fading": "A1"})
        self._days_pass(14)  # 20 -> 5: 40 points of engagement, still 1
        self.env["crm.lead"]._scoring_fade()
        self.assertEqual(lead.engagement_score, 40)
        self.assertEqual(self._priorities(lead), {"fading": "A1"})
        self.company.lead_engagement_level_1 = 45
        self.assertEqual(self._priorities(lead), {"fading": "A2"})
        self._days_pass(60)  # 5 -> 0: 35
        self.env["crm.lead"]._scoring_fade()
        self.assertEqual(lead.engagement_score, 35)
        self.assertEqual(self._priorities(lead), {"fading": "A2"})
        self.company.lead_engagement_level_1 = 30
        self.assertEqual(self._priorities(lead), {"fading": "A1"})

    @users("scoring_manager")
    def test_bad_thresholds_refused(self):
        company = self.company.with_env(self.env).sudo()
        for values, message in (
            ({"lead_fit_grade_b": 0}, "must be at least 1"),
            ({"lead_engagement_level_2": -5}, "must be at least 1"),
            ({"lead_fit_grade_b": 45}, "fit grade B threshold"),
            ({"lead_engagement_level_2": 31}, "engagement level 2 threshold"),
        ):
            with self.subTest(values=values):
                with self.assertRaises(ValidationError) as error:
                    company.write(values)
                self.assertIn(message, str(error.exception))
                self.assertIn(company.name, str(error.exception))
        self.assertEqual(company.lead_fit_grade_b, 20)

    def test_settings_and_matrix(self):
        settings = self.env["res.config.settings"].create({"lead_fit_grade_a": 45})
        settings.execute()
        self.assertEqual(self.env.company.lead_fit_grade_a, 45)
        action = self.env["crm.lead"]._get_priority_matrix_action()
        self.assertEqual(action["context"]["pivot_row_groupby"], ["lead_fit_grade"])
        self.assertEqual(
            action["context"]["pivot_column_groupby"], ["lead_engagement_level"]
        )
        expected = ["__count"]
        if "conversion_rate" in self.env["crm.lead"]._fields:
            expected.append("conversion_rate")
        self.assertEqual(action["context"]["pivot_measures"], expected)
