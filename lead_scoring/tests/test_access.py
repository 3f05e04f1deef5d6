from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestScoringAccess(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule = cls._create_rule(
            "Named", 4, [("name", "ilike", "access")], company=cls.company
        )
        cls.rule_c2 = cls._create_rule(
            "Company 2", 9, [("name", "ilike", "access")], company=cls.company_2
        )
        cls.lead = cls._create_lead("access lead", company_id=cls.company.id)
        cls.team = cls.env["crm.team"].create({"name": "Access Team"})

    @users("scoring_salesman")
    def test_salesman_reads_rules_and_scores(self):
        rules = self.env["crm.lead.scoring.rule"].search(
            [("id", "in", (self.rule | self.rule_c2).ids)]
        )
        self.assertEqual(rules, self.rule, "other companies' rules are hidden")
        self.assertEqual(rules.lead_count, 1)
        lead = self.lead.with_env(self.env)
        self.assertEqual(lead.lead_score, 4)
        self.assertEqual(lead.score_rule_ids.mapped("name"), ["Named"])
        self.assertEqual(lead.score_history_ids.mapped("new_score"), [4])
        # and can still edit his leads: the score follows
        lead.name = "renamed"
        self.assertEqual(lead.lead_score, 0)

    @users("scoring_salesman")
    def test_salesman_cannot_manage_rules(self):
        Rule = self.env["crm.lead.scoring.rule"]
        with self.assertRaises(AccessError):
            Rule.create({"name": "Mine", "points": 1, "domain": "[]"})
        with self.assertRaises(AccessError):
            self.rule.with_env(self.env).write({"points": 100})
        with self.assertRaises(AccessError):
            self.rule.with_env(self.env).unlink()
        with self.assertRaises(AccessError):
            self.env["crm.lead.score.history"].create({"lead_id": self.lead.id})

    @users("scoring_salesman")
    def test_salesman_cannot_set_min_score(self):
        team = self.team.with_env(self.env)
        for fname in ("min_score", "min_fit_score", "min_engagement_score"):
            with self.subTest(field=fname):
                with self.assertRaises(AccessError):
                    team.write({fname: 10})
                with self.assertRaises(AccessError):
                    team.read([fname])
        self.assertEqual(self.team.min_fit_score, 0)

    @users("scoring_manager")
    def test_manager_manages_rules_and_min_score(self):
        rule = self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Manager rule",
                "points": 2,
                "domain": "[('name', 'ilike', 'access')]",
            }
        )
        self.assertEqual(self.lead.with_env(self.env).lead_score, 6)
        rule.write({"points": 3})
        self.assertEqual(self.lead.with_env(self.env).lead_score, 7)
        rule.unlink()
        self.assertEqual(self.lead.with_env(self.env).lead_score, 4)
        team = self.team.with_env(self.env)
        team.write({"min_score": 25, "min_fit_score": 10, "min_engagement_score": 5})
        self.assertEqual(
            team._get_scoring_minimum_domain(),
            [
                ("lead_score", ">=", 25),
                ("fit_score", ">=", 10),
                ("engagement_score", ">=", 5),
            ],
        )

    @users("scoring_salesman_c2")
    def test_other_company_user(self):
        rules = self.env["crm.lead.scoring.rule"].search(
            [("id", "in", (self.rule | self.rule_c2).ids)]
        )
        self.assertEqual(rules, self.rule_c2)
        lead = self.env["crm.lead"].create(
            {"name": "access c2", "company_id": self.company_2.id}
        )
        self.assertEqual(lead.lead_score, 9)
