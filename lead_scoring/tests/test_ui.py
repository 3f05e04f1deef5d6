from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestLeadScoringUi(HttpCase):
    def test_rule_editor_and_lead_breakdown(self):
        """Create a rule with the domain widget, see its lead count, open a
        matching lead and read its score breakdown."""
        self.env["crm.lead.scoring.rule"].search([]).action_archive()
        admin = self.env.ref("base.user_admin")
        admin.tour_enabled = False
        lead = self.env["crm.lead"].create(
            {"name": "Tour scoring lead", "type": "lead", "user_id": admin.id}
        )
        self.start_tour(
            "/odoo/action-lead_scoring.crm_lead_scoring_rule_action?debug=1",
            "lead_scoring_rule_tour",
            login="admin",
        )
        rule = self.env["crm.lead.scoring.rule"].search(
            [("name", "=", "Tour scoring rule")]
        )
        self.assertEqual(rule.points, 42)
        lead.invalidate_recordset()
        self.assertEqual(lead.lead_score, 42)
        self.assertEqual(lead.score_rule_ids, rule)
