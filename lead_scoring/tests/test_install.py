from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_example_rules_installed_archived(self):
        """The KIU ERP guide's example rules come archived: installing the
        addon scores no lead until an administrator turns a rule on; each
        example's domain applies as it is."""
        examples = (
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "lead_scoring"),
                    ("model", "=", "crm.lead.scoring.rule"),
                    ("name", "not like", "%_demo"),
                ]
            )
            .mapped("res_id")
        )
        rules = (
            self.env["crm.lead.scoring.rule"]
            .with_context(active_test=False)
            .browse(examples)
        )
        self.assertGreaterEqual(len(rules), 7)
        self.assertFalse(rules.filtered("active"))
        Lead = self.env["crm.lead"].with_context(active_test=False)
        for rule in rules:
            Lead.search_count(rule._get_scoring_domain())  # compiles and runs
            self.assertFalse(rule.error_message, rule.name)

    def test_team_min_score_limits_allocation(self):
        """A team's minimum score joins its allocation domain: 0 leaves crm's
        domain as it is."""
        team = self.env["crm.team"].create({"name": "Scoring team"})
        self.assertFalse(team._has_scoring_minimum())
        team.min_score = 40
        self.assertTrue(team._has_scoring_minimum())
        self.assertIn(("lead_score", ">=", 40), team._get_scoring_allocation_domain())
