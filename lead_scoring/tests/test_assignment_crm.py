import random

from odoo.addons.crm.models.crm_team import Team
from odoo.addons.crm.tests.common import TestLeadConvertCommon
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestScoringInCrmAssignment(TestLeadConvertCommon):
    """crm's own assignment fixtures (two teams, their members and quotas)
    with rules created as an administrator creates them: with the defaults."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["crm.lead.scoring.rule"].search([]).action_archive()
        cls.env["crm.team"].search(
            [("id", "not in", (cls.sales_team_1 | cls.sales_team_convert).ids)]
        ).action_archive()
        cls.sales_team_1.assignment_domain = False
        cls.sales_team_convert.assignment_domain = False
        cls.env["ir.config_parameter"].set_param(
            "lead_scoring.assignment_notify", "False"
        )
        Rule = cls.env["crm.lead.scoring.rule"].with_user(cls.user_sales_manager)
        cls.rules = Rule.create(
            [
                {
                    "name": "High priority",
                    "points": 30,
                    "domain": "[('priority', 'in', ['2', '3'])]",
                },
                {
                    "name": "Has an email",
                    "points": 10,
                    "domain": "[('email_from', '!=', False)]",
                },
                {
                    "name": "Big deal",
                    "points": 25,
                    "domain": "[('expected_revenue', '>=', 5000)]",
                },
            ]
        )

    def setUp(self):
        super().setUp()
        self.leads = self._create_leads_batch(
            lead_type="lead", user_ids=[False], count=30
        )
        for index, lead in enumerate(self.leads):
            lead.expected_revenue = 1000 * (index % 10)
        self.leads.flush_recordset()

    def _assign(self):
        random.seed(1940)
        teams = (self.sales_team_1 | self.sales_team_convert).with_user(
            self.user_sales_manager
        )
        return teams._action_assign_leads(force_quota=True, creation_delta_days=0)

    def test_default_rules_score_crm_unassigned_leads(self):
        self.assertEqual(self.rules.company_id, self.env.company)
        self.assertFalse(self.leads.company_id, "crm leaves them without company")
        expected = [
            30 * (lead.priority in ("2", "3"))
            + 10 * bool(lead.email_from)
            + 25 * (lead.expected_revenue >= 5000)
            for lead in self.leads
        ]
        self.assertEqual(self.leads.mapped("lead_score"), expected)
        self.assertGreater(len(set(expected)), 2)

    def test_minimum_team_gets_only_leads_reaching_it_best_first(self):
        self.sales_team_1.min_score = 35
        reaching = self.leads.filtered(lambda lead: lead.lead_score >= 35)
        self.assertTrue(reaching and reaching != self.leads)
        teams_data, members_data = self._assign()
        team_1_leads = self.leads.filtered(
            lambda lead: lead.team_id == self.sales_team_1
        )
        self.assertTrue(team_1_leads)
        self.assertTrue(
            all(lead.lead_score >= 35 for lead in team_1_leads),
            "a team with a minimum receives only leads reaching it",
        )
        self.assertEqual(
            team_1_leads, reaching, "teams with a minimum are served first"
        )
        # the members' daily quotas take the best of them
        assigned = self.leads.filtered(
            lambda lead: lead.team_id == self.sales_team_1 and lead.user_id
        )
        quota = sum(
            member._get_assignment_quota(force_quota=True)
            for member in self.sales_team_1.crm_team_member_ids
        )
        self.assertEqual(len(assigned), min(quota, len(team_1_leads)))
        left = team_1_leads - assigned
        if left:
            self.assertGreaterEqual(
                min(assigned.mapped("lead_score")), max(left.mapped("lead_score"))
            )
        # the team without minimum receives the rest, as crm allocates
        self.assertEqual(
            self.leads.filtered(lambda lead: lead.team_id == self.sales_team_convert),
            self.leads - reaching,
        )

    def test_without_minimum_the_addon_changes_nothing(self):
        self.assertEqual(self.sales_team_1.min_score, 0)
        with self.env.cr.savepoint() as savepoint:
            self._assign()
            ours = [
                (lead.team_id.id, lead.user_id.id, lead.type) for lead in self.leads
            ]
            savepoint.rollback()
        self.env.invalidate_all()
        # the same run through crm's own methods only
        random.seed(1940)
        teams = (self.sales_team_1 | self.sales_team_convert).with_user(
            self.user_sales_manager
        )
        Team._allocate_leads(teams, creation_delta_days=0)
        Team._assign_and_convert_leads(teams, force_quota=True)
        crm = [(lead.team_id.id, lead.user_id.id, lead.type) for lead in self.leads]
        self.assertEqual(ours, crm)
        self.assertTrue(all(team for team, __, __ in crm))
