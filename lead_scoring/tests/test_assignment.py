from psycopg2 import IntegrityError

from odoo.tests import tagged, users
from odoo.tools import mute_logger

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestScoringAssignment(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's leads and team take part in the assignment
        cls.env["crm.lead"].search([]).write({"active": False})
        cls.env["crm.team"].search([]).write({"active": False})
        cls.team = cls.env["crm.team"].create(
            {"name": "Scoring Team", "min_score": 20, "company_id": cls.company.id}
        )
        cls.member_1, cls.member_2 = cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team.id, "user_id": user.id, "assignment_max": 60}
                for user in (cls.user_sales_salesman, cls.user_sales_salesman_2)
            ]
        )
        # scores: value of 'expected_revenue' / 1000 through one rule per step
        cls._create_rule("Any lead", 5, [("name", "ilike", "scored")])
        cls._create_rule("Revenue 10k", 20, [("expected_revenue", ">=", 10000)])
        cls._create_rule("Revenue 50k", 30, [("expected_revenue", ">=", 50000)])
        cls._create_rule("Gmail", -10, [("email_from", "ilike", "@gmail.")])

    def _make_leads(self, revenues, **values):
        return self.Lead.create(
            [
                dict(
                    name=f"scored {i}",
                    expected_revenue=revenue,
                    type="lead",
                    user_id=False,
                    team_id=False,
                    **values,
                )
                for i, revenue in enumerate(revenues)
            ]
        )

    @users("scoring_manager")
    def test_min_score_and_highest_first(self):
        # scores 5, 25, 55, 15 (gmail), 55, 25
        leads = self._make_leads([0, 10000, 60000, 10000, 50000, 20000]).with_env(
            self.env
        )
        leads[3].email_from = "low@gmail.com"
        self.assertEqual(leads.mapped("lead_score"), [5, 25, 55, 15, 55, 25])
        self.assertEqual(self.team.with_env(self.env).qualified_lead_count, 4)
        # a daily quota of 1 lead each: only the two best leads are handed out
        self.member_1.assignment_max = 30
        self.member_2.assignment_max = 30
        team = self.team.with_env(self.env)
        team._action_assign_leads(force_quota=True)
        qualified = leads.filtered(lambda lead: lead.lead_score >= 20)
        below = leads - qualified
        self.assertEqual(qualified, leads.filtered(lambda lead: lead.team_id == team))
        self.assertFalse(below.team_id, "leads below the minimum stay unallocated")
        self.assertFalse(below.user_id)
        assigned = leads.filtered("user_id")
        self.assertEqual(assigned, leads[2] | leads[4], "the highest scores go first")
        self.assertEqual(set(assigned.mapped("type")), {"opportunity"})
        self.assertEqual(
            set(assigned.user_id.ids),
            {self.user_sales_salesman.id, self.user_sales_salesman_2.id},
        )

    @users("scoring_manager")
    def test_deterministic_allocation_order(self):
        self.member_1.assignment_max = 30
        self.member_2.assignment_max = 0
        leads = self._make_leads([10000, 10000, 10000]).with_env(self.env)
        self.team.with_env(self.env)._action_assign_leads(force_quota=True)
        self.assertEqual(
            leads.filtered("user_id"), leads[0], "equal scores: oldest first"
        )

    @users("scoring_manager")
    def test_no_convert_option_and_notification(self):
        self.team.assignment_convert = False
        leads = self._make_leads([60000, 20000, 0]).with_env(self.env)
        messages_before = self.env["mail.message"].sudo().search([])
        self.team.with_env(self.env)._action_assign_leads(force_quota=True)
        assigned = leads[:2]
        self.assertEqual(assigned.filtered("user_id"), assigned)
        self.assertEqual(set(assigned.mapped("type")), {"lead"})
        self.assertFalse(leads[2].user_id)
        notifications = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("id", "not in", messages_before.ids),
                    ("subject", "ilike", "New leads assigned"),
                ]
            )
        )
        self.assertEqual(len(notifications), 2, "one message per salesperson")
        for message in notifications:
            self.assertEqual(len(message.partner_ids), 1)
            user = message.partner_ids.user_ids
            self.assertIn(user, self.user_sales_salesman | self.user_sales_salesman_2)
            for lead in assigned.filtered(lambda lead, user=user: lead.user_id == user):
                self.assertIn(lead.name, message.body)
            self.assertIn(message.partner_ids, message.notification_ids.res_partner_id)

    @users("scoring_manager")
    def test_zero_minimum_is_crm_allocation(self):
        """A minimum of 0 means no minimum: negative scores are assigned too."""
        self.team.min_score = 0
        leads = self._make_leads([0, 0]).with_env(self.env)
        leads[0].email_from = "low@gmail.com"  # score -5
        self.assertEqual(leads.mapped("lead_score"), [-5, 5])
        self.team.with_env(self.env)._action_assign_leads(force_quota=True)
        self.assertEqual([lead.team_id for lead in leads], [self.team] * 2)

    @users("scoring_manager")
    def test_minimum_one_keeps_negative_scores_out(self):
        self.team.min_score = 1
        leads = self._make_leads([0, 0]).with_env(self.env)
        leads[0].email_from = "low@gmail.com"  # score -5
        self.team.with_env(self.env)._action_assign_leads(force_quota=True)
        self.assertEqual(leads.filtered("team_id"), leads[1])

    def test_negative_minimum_refused(self):
        for fname in ("min_score", "min_fit_score", "min_engagement_score"):
            with (
                self.subTest(field=fname),
                self.assertRaises(IntegrityError),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.team[fname] = -1
                self.team.flush_recordset()

    @users("scoring_manager")
    def test_default_company_rules_score_unassigned_leads(self):
        """Rules created with the defaults belong to the current company;
        crm's unassigned leads have no company: they are scored and reach the
        team's minimum."""
        self.Rule.search([]).action_archive()
        rule = (
            self.env["crm.lead.scoring.rule"]
            .with_env(self.env)
            .create(
                {
                    "name": "Big deal",
                    "points": 55,
                    "domain": "[('expected_revenue', '>=', 50000)]",
                }
            )
        )
        self.assertEqual(rule.company_id, self.company)
        leads = self._make_leads([60000, 0]).with_env(self.env)
        leads.write({"company_id": False})
        self.assertFalse(leads.company_id)
        self.assertEqual(leads.mapped("lead_score"), [55, 0])
        self.team.with_env(self.env).action_assign_leads()
        self.assertEqual(leads.filtered("team_id"), leads[0])
        self.assertEqual(leads[0].company_id, self.company)
        self.assertEqual(leads[0].lead_score, 55)
