from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users
from odoo.tools import SQL

from .common import LeadScoringCommon

#: (campaign, no phone): (won, lost) among the learning leads, then among the
#: checking leads; every learning count is even, so that the Belgian leads
#: (every other lead of each cell) win exactly as often as the others
LEARNING_CELLS = {
    (True, False): (24, 6),
    (True, True): (10, 10),
    (False, False): (8, 32),
    (False, True): (2, 28),
}
CHECKING_CELLS = {
    (True, False): (12, 4),
    (True, True): (5, 5),
    (False, False): (4, 16),
    (False, True): (1, 13),
}


def plain_ranking_quality(scored):
    """The chance in % that a won lead scores above a lost one, ties counting
    half, over every pair of ``scored``: [(score, won)]."""
    won = [score for score, is_won in scored if is_won]
    lost = [score for score, is_won in scored if not is_won]
    pairs = sum(
        1 if w > lost_score else 0.5 if w == lost_score else 0
        for w in won
        for lost_score in lost
    )
    return 100 * pairs / (len(won) * len(lost))


@tagged("post_install", "-at_install")
class TestLeadScoringEvaluation(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's closed leads count: the others closed long ago
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_lead SET date_closed = now() - interval '5 years'"
            " WHERE date_closed IS NOT NULL"
        )
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        # deliberately wrong points: the campaign wins, leads without phone lose
        cls.rule_campaign = cls._create_rule(
            "Campaign", -10, [("campaign_id", "=", cls.campaign.id)]
        )
        cls.rule_no_phone = cls._create_rule("No phone", 10, [("phone", "=", False)])
        cls.rule_noise = cls._create_rule(
            "Belgium", 20, [("country_id", "=", cls.country_be.id)]
        )
        cls.rule_outcome = cls._create_rule(
            "Won stage", 50, [("stage_id.is_won", "=", True)]
        )
        cls.rule_rare = cls._create_rule("Rare", 7, [("name", "=", "No such lead")])
        # (lead, campaign, no phone, belgian, won, learning), oldest first
        cls.closed = []
        now = datetime.now().replace(microsecond=0)
        for learning, cells in ((True, LEARNING_CELLS), (False, CHECKING_CELLS)):
            vals_list, specs = [], []
            for (campaign, no_phone), (won, lost) in cells.items():
                for index in range(won + lost):
                    specs.append((campaign, no_phone, index % 2 == 0, index < won))
                    vals_list.append(
                        {
                            "name": f"Closed {len(cls.closed) + len(specs)}",
                            "type": "opportunity",
                            "company_id": cls.company.id,
                            "campaign_id": campaign and cls.campaign.id,
                            "phone": False if no_phone else "+32 470 12 34 56",
                            "country_id": (index % 2 == 0) and cls.country_be.id,
                        }
                    )
            leads = cls.Lead.create(vals_list)
            won_leads = cls.Lead.browse(
                [lead.id for lead, spec in zip(leads, specs, strict=True) if spec[3]]
            )
            won_leads.write({"stage_id": cls.won_stage.id})
            (leads - won_leads).action_set_lost()
            for lead, spec in zip(leads, specs, strict=True):
                cls.closed.append((lead, *spec, learning))
        # closing dates a day apart, the checking leads the newest
        cls.env.flush_all()
        cls.env.cr.execute(
            SQL(
                """UPDATE crm_lead SET date_closed = d.date_closed
                     FROM unnest(%s::int[], %s::timestamp[]) AS d(id, date_closed)
                    WHERE crm_lead.id = d.id""",
                [lead.id for lead, *__ in cls.closed],
                [
                    now - timedelta(days=len(cls.closed) - index)
                    for index in range(len(cls.closed))
                ],
            )
        )
        cls.Lead.invalidate_model(["date_closed"])
        cls.evaluation = cls.env["crm.lead.scoring.evaluation"].evaluate(cls.company)

    def _score(self, campaign, no_phone, belgian, rules):
        points = dict(rules)
        return (
            (points["campaign"] if campaign else 0)
            + (points["no_phone"] if no_phone else 0)
            + (points["noise"] if belgian else 0)
        )

    def test_rule_figures(self):
        evaluation = self.evaluation
        total = len(self.closed)
        won = sum(1 for spec in self.closed if spec[4])
        self.assertEqual(evaluation.closed_count, total)
        self.assertEqual(evaluation.won_count, won)
        self.assertEqual(evaluation.learning_count, 120)
        self.assertEqual(evaluation.checking_count, 60)
        self.assertTrue(evaluation.is_conclusive)
        for rule, position in (
            (self.rule_campaign, 1),
            (self.rule_no_phone, 2),
            (self.rule_noise, 3),
        ):
            matched = [spec for spec in self.closed if spec[position]]
            others = [spec for spec in self.closed if not spec[position]]
            won_rate = 100 * sum(spec[4] for spec in matched) / len(matched)
            self.assertEqual(rule.eval_state, "evaluated")
            self.assertEqual(rule.eval_evaluation_id, evaluation)
            self.assertEqual(rule.eval_matched_count, len(matched))
            self.assertAlmostEqual(rule.eval_won_rate, won_rate)
            self.assertAlmostEqual(
                rule.eval_unmatched_won_rate,
                100 * sum(spec[4] for spec in others) / len(others),
            )
            self.assertAlmostEqual(rule.eval_lift, won_rate / (100 * won / total))
        # the stage tells the outcome: left out, and said why
        self.assertEqual(self.rule_outcome.eval_state, "not_evaluable")
        self.assertIn("Stage", self.rule_outcome.eval_note)
        self.assertFalse(self.rule_outcome.eval_matched_count)
        self.assertEqual(
            evaluation.rule_ids,
            self.rule_campaign
            | self.rule_no_phone
            | self.rule_noise
            | self.rule_outcome
            | self.rule_rare,
        )
        # score ranges over every evaluation lead, with the current points
        lines = {line.score_bucket: line for line in evaluation.line_ids}
        current = {"campaign": -10, "no_phone": 10, "noise": 20}
        below_0 = [
            spec for spec in self.closed if self._score(*spec[1:4], current.items()) < 0
        ]
        self.assertEqual(lines["below_0"].lead_count, len(below_0))
        self.assertEqual(lines["below_0"].won_count, sum(spec[4] for spec in below_0))
        self.assertEqual(sum(evaluation.line_ids.mapped("lead_count")), total)

    def test_ranking_quality_and_suggested_points(self):
        evaluation = self.evaluation
        checking = [spec for spec in self.closed if not spec[5]]
        current = {"campaign": -10, "no_phone": 10, "noise": 20}
        self.assertAlmostEqual(
            evaluation.ranking_quality,
            plain_ranking_quality(
                [
                    (self._score(*spec[1:4], current.items()), spec[4])
                    for spec in checking
                ]
            ),
        )
        # the noise rule's leads win as often as the others: about 0 points;
        # the campaign is worth points, no phone costs some
        self.assertEqual(self.rule_noise.suggested_points, 0)
        self.assertGreater(self.rule_campaign.suggested_points, 10)
        self.assertLess(self.rule_no_phone.suggested_points, -5)
        self.assertEqual(self.rule_outcome.suggested_points, 50)
        # no learning lead to learn from: its points are its suggestion
        self.assertEqual(self.rule_rare.eval_matched_count, 0)
        self.assertEqual(self.rule_rare.suggested_points, 7)
        suggested = {
            "campaign": self.rule_campaign.suggested_points,
            "no_phone": self.rule_no_phone.suggested_points,
            "noise": self.rule_noise.suggested_points,
        }
        self.assertAlmostEqual(
            evaluation.suggested_ranking_quality,
            plain_ranking_quality(
                [
                    (self._score(*spec[1:4], suggested.items()), spec[4])
                    for spec in checking
                ]
            ),
        )
        self.assertLess(evaluation.ranking_quality, 50)
        self.assertGreater(evaluation.suggested_ranking_quality, 75)

    def test_pls_learned_without_checking_leads(self):
        first = self.evaluation.pls_ranking_quality
        self.assertGreater(first, 50)  # the phone tells something to crm too
        # every checking lead's outcome reversed: had crm's probability
        # learned from them, it would change; it does not, so the measure
        # is exactly reversed
        checking = self.Lead.browse(
            [spec[0].id for spec in self.closed if not spec[5]]
        ).with_context(active_test=False)
        won = checking.filtered(lambda lead: lead.stage_id.is_won)
        lost = checking - won
        first_stage = self.env["crm.stage"].search([], order="sequence, id", limit=1)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead SET stage_id = %s, active = FALSE, probability = 0
                    WHERE id = ANY(%s);
                   UPDATE crm_lead SET stage_id = %s, active = TRUE, probability = 100
                    WHERE id = ANY(%s)""",
                first_stage.id,
                won.ids,
                self.won_stage.id,
                lost.ids,
            )
        )
        self.env.invalidate_all()
        second = self.env["crm.lead.scoring.evaluation"].evaluate(self.company)
        self.assertEqual(second.checking_count, 60)
        self.assertAlmostEqual(second.pls_ranking_quality, 100 - first)
        self.assertAlmostEqual(
            second.ranking_quality, 100 - self.evaluation.ranking_quality
        )

    def test_pls_learns_from_its_start_date(self):
        """crm's probability is learned as crm learns it: from the closed
        leads created since crm.pls_start_date; none of them, no figure."""
        params = self.env["ir.config_parameter"].sudo()
        self.assertGreater(self.evaluation.pls_ranking_quality, 50)
        params.set_param("crm.pls_start_date", "2999-01-01")
        later = self.env["crm.lead.scoring.evaluation"].evaluate(self.company)
        self.assertTrue(later.is_conclusive)
        self.assertEqual(later.pls_ranking_quality, 0.0)
        self.assertEqual(later.ranking_quality, self.evaluation.ranking_quality)

    @users("scoring_manager")
    def test_apply_suggested_points(self):
        rules = (self.rule_campaign | self.rule_no_phone | self.rule_noise).with_user(
            self.env.user
        )
        suggested = rules.mapped("suggested_points")
        open_lead = self.Lead.create(
            {
                "name": "Open",
                "company_id": self.company.id,
                "campaign_id": self.campaign.id,
                "country_id": self.country_be.id,
            }
        )
        self.assertEqual(open_lead.lead_score, -10 + 10 + 20)
        rules.action_apply_suggested_points()
        self.assertEqual(rules.mapped("points"), suggested)
        open_lead.invalidate_recordset()
        self.assertEqual(open_lead.lead_score, sum(suggested))
        # one rescoring for the three rules: one history row after its creation's
        self.assertEqual(
            open_lead.score_history_ids.sorted("id").mapped("new_score"),
            [20, sum(suggested)],
        )
        message = self.rule_campaign.message_ids[:1]
        self.assertIn("-10", message.body)
        self.assertIn(str(suggested[0]), message.body)
        # the noise rule's points changed too (20 to 0), one line each
        self.assertEqual(len(self.rule_noise.message_ids), 1)

    @users("scoring_salesman")
    def test_evaluation_access(self):
        evaluation = self.evaluation.with_user(self.env.user)
        self.assertTrue(evaluation.ranking_quality)  # readable
        with self.assertRaises(AccessError):
            self.env["crm.lead.scoring.evaluation"].evaluate()
        with self.assertRaises(AccessError):
            self.rule_campaign.with_user(self.env.user).action_apply_suggested_points()

    def test_too_few_leads_or_one_outcome(self):
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        empty = Evaluation.evaluate(self.company_2)
        self.assertFalse(empty.is_conclusive)
        self.assertFalse(empty.ranking_quality)
        self.assertIn("at least 30", empty.inconclusive_reason)
        leads = self.Lead.create(
            [
                {"name": f"Won {index}", "company_id": self.company_2.id}
                for index in range(30)
            ]
        )
        leads.write({"stage_id": self.won_stage.id})
        only_won = Evaluation.evaluate(self.company_2)
        self.assertEqual(only_won.closed_count, 30)
        self.assertFalse(only_won.is_conclusive)
        self.assertIn("was lost", only_won.inconclusive_reason)

    def test_button_in_background_over_the_limit(self):
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        cron = self.env.ref("lead_scoring.ir_cron_lead_scoring_evaluate")
        Trigger = self.env["ir.cron.trigger"].sudo()
        triggers = Trigger.search_count([("cron_id", "=", cron.id)])
        rules = self.Rule.with_user(self.user_sales_manager)
        # up to the limit: made in the request, and shown
        action = rules.action_evaluate()
        latest = Evaluation.search([("company_id", "=", self.company.id)], limit=1)
        self.assertEqual(action["res_id"], latest.id)
        self.assertEqual(latest.closed_count, 180)
        # over it: the scheduled action is triggered, nothing is made meanwhile
        self.env["ir.config_parameter"].sudo().set_param(
            "lead_scoring.sync_rescore_limit", 100
        )
        count = Evaluation.search_count([])
        action = rules.action_evaluate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(Evaluation.search_count([]), count)
        self.assertEqual(
            Trigger.search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        # nor by a direct call of a person (an RPC client)
        with self.assertRaisesRegex(UserError, "180 closed leads are too many"):
            Evaluation.with_user(self.user_sales_manager).evaluate()
        Evaluation._cron_evaluate()
        self.assertEqual(
            Evaluation.search(
                [("company_id", "=", self.company.id)], limit=1
            ).closed_count,
            180,
        )
        self.assertGreater(Evaluation.search_count([]), count)
