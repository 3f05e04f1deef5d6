from odoo.addons.lead_scoring.models.crm_lead import defer_scoring
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

    def test_evaluation_and_suggested_points(self):
        """Evaluate the rules from the rules list, read the ranking quality,
        then apply a rule's suggested points."""
        self.env["crm.lead.scoring.rule"].search([]).action_archive()
        self.env.ref("base.user_admin").tour_enabled = False
        rule = self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Tour big deal",
                "points": -5,
                "domain": "[('name', 'ilike', 'Tour big')]",
            }
        )
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        leads = self.env["crm.lead"].create(
            [{"name": f"Tour big deal {index}"} for index in range(30)]
            + [{"name": f"Tour small deal {index}"} for index in range(30)]
        )
        # big deals win four times in five, small ones one time in five
        won = leads[:24] | leads[30:60:5]
        won.write({"stage_id": won_stage.id})
        (leads - won).action_set_lost()
        # closed before the demo's closed leads: the rule is learned from them
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET date_closed = now() - interval '361 days'"
            " WHERE id = ANY(%s)",
            [leads.ids],
        )
        leads.invalidate_recordset(["date_closed"])
        self.start_tour(
            "/odoo/action-lead_scoring.crm_lead_scoring_rule_action",
            "lead_scoring_evaluation_tour",
            login="admin",
        )
        evaluation = self.env["crm.lead.scoring.evaluation"].search([], limit=1)
        self.assertIn(rule, evaluation.rule_ids)
        self.assertGreater(rule.suggested_points, 0)
        self.assertEqual(rule.points, rule.suggested_points)
        self.assertIn("-5", rule.message_ids[:1].body)

    def test_engagement_rule_moves_the_score(self):
        """Create an engagement rule in the rules form, send an e-mail from a
        lead's chatter, and see the lead's score move once the rescoring job
        the e-mail triggered has run."""
        self.env["crm.lead.scoring.rule"].search([]).action_archive()
        # only this test's lead is open (the demo leads have e-mails sent)
        defer_scoring(self.env["crm.lead"]).search([]).write({"active": False})
        self.env["crm.lead.scoring.event"].search([]).unlink()
        admin = self.env.ref("base.user_admin")
        admin.tour_enabled = False
        lead = self.env["crm.lead"].create(
            {"name": "Tour engaged lead", "type": "lead", "user_id": admin.id}
        )
        self.start_tour(
            "/odoo/action-lead_scoring.crm_lead_scoring_rule_action",
            "lead_scoring_engagement_rule_tour",
            login="admin",
        )
        rule = self.env["crm.lead.scoring.rule"].search(
            [("name", "=", "Tour engagement rule")]
        )
        self.assertEqual(
            (rule.rule_type, rule.event_type, rule.points, rule.decay_half_life_days),
            ("engagement", "email_sent", 30, 10),
        )
        url = f"/odoo/action-crm.crm_lead_all_leads/{lead.id}"
        self.start_tour(url, "lead_scoring_engagement_message_tour", login="admin")
        Event = self.env["crm.lead.scoring.event"]
        self.assertEqual(Event.search([]).lead_id, lead)
        Event._cron_rescore_marked_leads()
        lead.invalidate_recordset()
        self.assertEqual((lead.engagement_score, lead.lead_score), (30, 30))
        self.start_tour(url, "lead_scoring_engagement_score_tour", login="admin")

    def test_priority_filter(self):
        """A salesperson keeps the A1–A2 leads of the list."""
        admin = self.env.ref("base.user_admin")
        admin.tour_enabled = False
        tag = self.env["crm.tag"].create({"name": "Tour priority"})
        self.env["crm.lead.scoring.rule"].search([]).action_archive()
        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Tour priority fit",
                "points": 80,
                "domain": repr([("tag_ids", "in", tag.ids)]),
            }
        )
        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Tour priority engagement",
                "points": 50,
                "rule_type": "engagement",
                "event_type": "email_sent",
            }
        )
        a1, c3 = self.env["crm.lead"].create(
            [
                {
                    "name": "Tour A1 lead",
                    "type": "lead",
                    "user_id": admin.id,
                    "tag_ids": [(6, 0, tag.ids)],
                },
                {"name": "Tour C3 lead", "type": "lead", "user_id": admin.id},
            ]
        )
        a1.with_user(admin).message_post(
            body="Our offer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.env["crm.lead.scoring.event"]._cron_rescore_marked_leads()
        (a1 | c3).invalidate_recordset()
        self.assertEqual((a1 | c3).mapped("lead_priority"), ["A1", "C3"])
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads?view_type=list",
            "lead_scoring_priority_tour",
            login="admin",
        )
