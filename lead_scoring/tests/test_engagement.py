from datetime import timedelta
from unittest.mock import patch

from odoo.addons.lead_scoring.models.crm_lead import defer_scoring
from odoo.addons.lead_scoring.models.crm_lead_score import days_pass_sql
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LeadScoringCommon


class EngagementCommon(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's leads are scored (the demo leads leave the scope)
        defer_scoring(cls.env["crm.lead"]).search([]).write({"active": False})
        cls.env["crm.lead.scoring.job"].search([]).unlink()
        cls.Event = cls.env["crm.lead.scoring.event"]
        cls.Event.search([]).unlink()  # e.g. the demo's
        cls.customer = cls.env["res.partner"].create(
            {"name": "Engaged Customer", "email": "buyer@customer.example"}
        )
        cls.type_call = cls.env.ref("mail.mail_activity_data_call")
        cls.type_meeting = cls.env.ref("mail.mail_activity_data_meeting")
        cls.cron_events = cls.env.ref("lead_scoring.ir_cron_lead_scoring_events")

    @classmethod
    def _create_engagement_rule(cls, name, points, event_type=None, **values):
        return cls.Rule.create(
            dict(
                {
                    "name": name,
                    "points": points,
                    "rule_type": "engagement",
                    "event_type": event_type,
                    "company_id": False,
                },
                **values,
            )
        )

    def _receive_email(self, lead, days_ago=None):
        message = lead.message_post(
            body="Could you send me your prices?",
            message_type="email",
            author_id=self.customer.id,
            subtype_xmlid="mail.mt_comment",
        )
        if days_ago is not None:
            self._age_messages(message, days_ago)
        return message

    def _age_messages(self, messages, days_ago):
        """Date ``messages`` ``days_ago`` days before the transaction's now."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_message SET date = %s WHERE id = ANY(%s)",
            [self.env.cr.now() - timedelta(days=days_ago), messages.ids],
        )
        messages.invalidate_recordset(["date"])

    def _days_pass(self, days):
        """Every date of the events and of what the scoring kept of them
        ``days`` days earlier: as if ``days`` days passed."""
        self.env.flush_all()
        self.env.cr.execute(days_pass_sql(days))
        self.env.invalidate_all()

    def _run_events(self):
        self.Event._cron_rescore_marked_leads()

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.cron_events.id)]
        )


@tagged("post_install", "-at_install")
class TestEngagementEvents(EngagementCommon):
    def test_incoming_email_rescored_by_the_triggered_job(self):
        self._create_rule("Has a phone", 5, [("phone", "!=", False)])
        rule = self._create_engagement_rule("Wrote to us", 10, "email_received")
        lead = self._create_lead("Engaged", phone="+32 470 00 00 01")
        self.assertEqual((lead.fit_score, lead.engagement_score), (5, 0))
        triggers = self._triggers()
        self._receive_email(lead)
        # the message's transaction only marks the lead and triggers the job
        self.assertEqual(self.Event.search_count([("lead_id", "=", lead.id)]), 1)
        self.assertEqual(self._triggers(), triggers + 1)
        lead.invalidate_recordset()
        self.assertEqual(lead.engagement_score, 0)
        self._run_events()
        lead.invalidate_recordset()
        self.assertEqual(
            (lead.fit_score, lead.engagement_score, lead.lead_score), (5, 10, 15)
        )
        self.assertIn(rule, lead.score_rule_ids)
        self.assertEqual(self.Event.search_count([("lead_id", "=", lead.id)]), 0)
        self.assertEqual(lead.score_history_ids[0].new_score, 15)

    def test_deleted_email_no_longer_counts(self):
        self._create_engagement_rule("Wrote to us", 10, "email_received")
        lead = self._create_lead("Wrote once")
        message = self._receive_email(lead)
        self._run_events()
        self.assertEqual(lead.engagement_score, 10)
        message.unlink()
        self.assertEqual(self.Event.search([]).lead_id, lead)
        self._run_events()
        self.assertEqual(lead.engagement_score, 0)
        self.assertFalse(lead.score_rule_ids)

    def test_events_coalesce_into_one_run(self):
        self._create_engagement_rule("Wrote to us", 10, "email_received")
        leads = self.Lead.create([{"name": f"Burst {index}"} for index in range(5)])
        for __ in range(3):
            for lead in leads:
                self._receive_email(lead)
        # one mark per lead: the later events of a marked lead, not taken
        # yet by the scheduled action, add none
        self.assertEqual(self.Event.search_count([("lead_id", "in", leads.ids)]), 5)
        with self.assertQueryCount(__system__=12):
            self._run_events()
        self.assertEqual(self.Event.search_count([]), 0)
        self.assertEqual(leads.mapped("engagement_score"), [10] * 5)

    def test_email_sent_note_and_received(self):
        received = self._create_engagement_rule("Wrote to us", 1, "email_received")
        sent = self._create_engagement_rule("We wrote", 10, "email_sent")
        lead = self._create_lead("Mail kinds")
        lead.with_user(self.user_sales_salesman).message_post(
            body="Our offer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        lead.with_user(self.user_sales_salesman).message_post(
            body="Internal note", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self._run_events()
        self.assertEqual(lead.engagement_score, 10)
        self.assertEqual(lead.score_rule_ids, sent)
        self._receive_email(lead)
        self._run_events()
        self.assertEqual(lead.engagement_score, 11)
        self.assertEqual(lead.score_rule_ids, sent | received)

    def test_activity_done_of_a_type(self):
        calls = self._create_engagement_rule(
            "Called", 15, "activity_done", event_activity_type_id=self.type_call.id
        )
        self._create_engagement_rule(
            "Met", 30, "activity_done", event_activity_type_id=self.type_meeting.id
        )
        lead = self._create_lead("Called lead", user_id=self.user_sales_salesman.id)
        activity = lead.activity_schedule(
            activity_type_id=self.type_call.id, user_id=self.user_sales_salesman.id
        )
        self._run_events()
        self.assertEqual(lead.engagement_score, 0, "a planned call is not done")
        activity.with_user(self.user_sales_salesman).action_feedback("Reached him")
        self._run_events()
        self.assertEqual(lead.engagement_score, 15)
        self.assertEqual(lead.score_rule_ids, calls)
        self.assertEqual(calls.lead_count, 1)

    def test_window_and_minimum_count(self):
        rule = self._create_engagement_rule(
            "Two e-mails this week",
            20,
            "email_received",
            event_window_days=7,
            event_min_count=2,
        )
        both_recent, one_old, single = self.Lead.create(
            [{"name": "Both recent"}, {"name": "One old"}, {"name": "Single"}]
        )
        self._receive_email(both_recent, days_ago=1)
        self._receive_email(both_recent, days_ago=6)
        self._receive_email(one_old, days_ago=2)
        self._receive_email(one_old, days_ago=10)
        self._receive_email(single, days_ago=0)
        self._run_events()
        self.assertEqual(
            (both_recent | one_old | single).mapped("engagement_score"), [20, 0, 0]
        )
        self.assertEqual(rule.lead_count, 1)
        self.assertEqual(
            rule.action_preview_leads()["domain"], [("score_rule_ids", "in", rule.ids)]
        )

    def test_no_engagement_rule_marks_nothing(self):
        lead = self._create_lead("Quiet")
        triggers = self._triggers()
        self._receive_email(lead)
        self.assertEqual(self.Event.search_count([]), 0)
        self.assertEqual(self._triggers(), triggers)


@tagged("post_install", "-at_install")
class TestEngagementFading(EngagementCommon):
    def test_fading_exact_points(self):
        self._create_engagement_rule(
            "Wrote, fading", 20, "email_received", decay_half_life_days=10
        )
        self._create_engagement_rule(
            "Odd points, fading", 5, "email_sent", decay_half_life_days=10
        )
        self._create_engagement_rule(
            "Negative, fading", -5, "activity_done", decay_half_life_days=10
        )
        expected = {0: 20, 5: 14, 10: 10, 15: 7, 20: 5, 100: 0}
        leads = self.Lead.create([{"name": f"Age {age}"} for age in expected])
        for lead, age in zip(leads, expected, strict=True):
            self._receive_email(lead, days_ago=age)
        self._run_events()
        self.assertEqual(
            dict(zip(expected, leads.mapped("engagement_score"), strict=True)),
            expected,
        )
        # 5 x 0.5 = 2.5 and -5 x 0.5 = -2.5: half away from zero
        halves = self.Lead.create([{"name": "Half up"}, {"name": "Half down"}])
        sent = (
            halves[0]
            .with_user(self.user_sales_salesman)
            .message_post(
                body="Offer", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        )
        self._age_messages(sent, 10)
        activity = halves[1].activity_schedule(
            activity_type_id=self.type_call.id, user_id=self.env.uid
        )
        activity.action_feedback("Done")
        done = halves[1].message_ids.filtered("mail_activity_type_id")
        self._age_messages(done, 10)
        self._run_events()
        self.assertEqual(halves.mapped("engagement_score"), [3, -3])
        explanation = halves[0].score_explanation
        self.assertIn("Odd points, fading", explanation)
        self.assertIn("5 points when new", explanation)

    def test_daily_pass_fades_only_what_changes(self):
        rule = self._create_engagement_rule(
            "Wrote, fading", 40, "email_received", decay_half_life_days=10
        )
        self._create_engagement_rule(
            "Wrote this week", 8, "email_received", event_window_days=7
        )
        self._create_engagement_rule("Ever called", 3, "activity_done")
        fading, steady, untouched = self.Lead.create(
            [{"name": "Fading"}, {"name": "Steady"}, {"name": "Untouched"}]
        )
        fading_messages = self._receive_email(fading, days_ago=0)
        activity = steady.activity_schedule(
            activity_type_id=self.type_call.id, user_id=self.env.uid
        )
        activity.action_feedback("Done")
        self._run_events()
        self.assertEqual(fading.engagement_score, 48)
        self.assertEqual(steady.engagement_score, 3)
        self.assertFalse(self.Lead._get_scoring_drifted_lead_ids())
        self.assertEqual(len(fading_messages), 1)
        # ten days pass: the e-mail leaves the week's window, its points halve
        self._days_pass(10)
        history_before = self.env["crm.lead.score.history"].search_count([])
        with self.assertQueryCount(__system__=8):
            self.Lead._cron_recompute_lead_scores()
        fading.invalidate_recordset()
        self.assertEqual(
            (fading | steady | untouched).mapped("engagement_score"), [20, 3, 0]
        )
        self.assertEqual(fading.score_rule_ids, rule)
        self.assertEqual(
            self.env["crm.lead.score.history"].search_count([]), history_before + 1
        )
        # nothing changed since: the pass writes nothing
        self.Lead._cron_recompute_lead_scores()
        self.assertEqual(
            self.env["crm.lead.score.history"].search_count([]), history_before + 1
        )
        # what a full rescoring of the events gives, exactly
        scores = (fading | steady | untouched).mapped("lead_score")
        self.Lead._scoring_rescore()
        self.assertEqual((fading | steady | untouched).mapped("lead_score"), scores)
        self.assertEqual(
            self.env["crm.lead.score.history"].search_count([]), history_before + 1
        )

    def test_daily_pass_equals_a_full_rescoring(self):
        """Windows with a minimum count, fading, negative points: after
        days pass, the daily pass gives every lead what a full rescoring of
        its events gives."""
        self._create_engagement_rule(
            "Two e-mails in 10 days, fading",
            21,
            "email_received",
            event_window_days=10,
            event_min_count=2,
            decay_half_life_days=4,
        )
        self._create_engagement_rule(
            "Chased", -7, "email_sent", event_window_days=20, event_min_count=1
        )
        self._create_engagement_rule("Ever wrote", 2, "email_received")
        leads = self.Lead.create([{"name": f"Day {index}"} for index in range(8)])
        for index, lead in enumerate(leads):
            for days_ago in (index, index * 3, 1 + index * 5)[: 1 + index % 3]:
                self._receive_email(lead, days_ago=days_ago)
            if index % 2:
                sent = lead.message_post(
                    body="Offer",
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
                self._age_messages(sent, index * 2)
        self._run_events()
        self.assertTrue(any(leads.mapped("engagement_score")))
        for days in (1, 2, 3, 5, 8, 13):
            with self.subTest(days=days):
                self._days_pass(days)
                self.Lead._cron_recompute_lead_scores()
                faded = leads.mapped(
                    lambda lead: (lead.lead_score, lead.score_rule_ids)
                )
                history = self.env["crm.lead.score.history"].search_count([])
                self.Lead._scoring_rescore()
                self.assertEqual(
                    leads.mapped(lambda lead: (lead.lead_score, lead.score_rule_ids)),
                    faded,
                )
                self.assertEqual(
                    self.env["crm.lead.score.history"].search_count([]), history
                )
        # a month later only the rule without window nor fading is left
        self.assertEqual(leads.mapped("engagement_score"), [2] * 8)


@tagged("post_install", "-at_install")
class TestEngagementRuleInput(EngagementCommon):
    def test_bad_input_named(self):
        cases = [
            ({"event_window_days": -1}, "window cannot be negative"),
            ({"event_min_count": 0}, "at least 1"),
            ({"decay_half_life_days": -3}, "half-life cannot be negative"),
            ({"event_url": "/pricing"}, "URL filters the pages visited only"),
            (
                {"event_activity_type_id": self.type_call.id},
                "activity type filters the activities done only",
            ),
            ({"domain": "[('phone', '!=', False)]"}, "has no domain"),
            ({"event_type": False}, "choose the events"),
        ]
        for values, message in cases:
            with self.subTest(values=values):
                rule_values = dict({"event_type": "email_received"}, **values)
                with self.assertRaises(ValidationError) as catcher:
                    self._create_engagement_rule("Bad", 5, **rule_values)
                self.assertIn(message, str(catcher.exception))
                self.assertIn("Bad", str(catcher.exception))
        # the pages visited need lead_scoring_website (website_crm)
        if not self.env["ir.module.module"].search_count(
            [("name", "=", "lead_scoring_website"), ("state", "=", "installed")]
        ):
            with self.assertRaises(ValidationError) as catcher:
                self._create_engagement_rule("Pricing", 5, event_type="page_visit")
            self.assertIn("not installed", str(catcher.exception))
        rule = self._create_engagement_rule("Good", 5, event_type="email_received")
        with self.assertRaises(ValidationError) as catcher:
            rule.write({"event_min_count": 0})
        self.assertIn("at least 1", str(catcher.exception))
        rule.invalidate_recordset()
        self.assertEqual(rule.event_min_count, 1)
        self.assertFalse(self.Rule.search([("name", "in", ["Bad", "Pricing"])]))

    def test_fit_rule_scores_as_before(self):
        fit = self._create_rule("Has a phone", 5, [("phone", "!=", False)])
        self.assertEqual(fit.rule_type, "fit")
        lead = self._create_lead("Fit only", phone="+32 470 00 00 02")
        self.assertEqual(
            (lead.fit_score, lead.engagement_score, lead.lead_score), (5, 0, 5)
        )
        self.assertEqual(self.Lead.search([("fit_score", "=", 5)]), lead)
        self.assertFalse(self.Lead.search([("engagement_score", ">", 0)]))


@tagged("post_install", "-at_install")
class TestEngagementEvaluation(EngagementCommon):
    """The evaluation counts an engagement rule's events as of each closed
    lead's closing date: what happened after the outcome predicts nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's closed leads count: the others closed long ago
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE crm_lead SET date_closed = now() - interval '5 years'"
            " WHERE date_closed IS NOT NULL"
        )
        cls.rule_phone = cls._create_rule("Has a phone", 5, [("phone", "!=", False)])
        cls.rule_wrote = cls._create_engagement_rule(
            "Wrote to us", 10, "email_received", decay_half_life_days=30
        )
        now = cls.env.cr.now()
        vals_list, closed = [], []
        for index in range(60):
            # won and lost alternate over the days; the phone is noise (every
            # other pair of leads, as many won as lost)
            vals_list.append(
                {
                    "name": f"Evaluated {index}",
                    "type": "opportunity",
                    "company_id": cls.company.id,
                    "phone": "+32 470 00 00 09" if index % 4 < 2 else False,
                }
            )
            closed.append(now - timedelta(days=120 - index))
        leads = cls.Lead.create(vals_list)
        cls.won = leads.filtered(lambda lead: int(lead.name.split()[1]) % 2 == 0)
        cls.lost = leads - cls.won
        # the won leads wrote 10 days before their closing
        for lead, date_closed in zip(leads, closed, strict=True):
            if lead in cls.won:
                message = lead.message_post(
                    body="Where do I sign?",
                    message_type="email",
                    author_id=cls.customer.id,
                    subtype_xmlid="mail.mt_comment",
                )
                cls.env.flush_all()
                cls.env.cr.execute(
                    "UPDATE mail_message SET date = %s WHERE id = %s",
                    [date_closed - timedelta(days=10), message.id],
                )
        cls.won.action_set_won()
        cls.lost.action_set_lost()
        cls.env.flush_all()
        cls.env.cr.execute(
            """UPDATE crm_lead SET date_closed = d.closed
                 FROM unnest(%s::int[], %s::timestamp[]) AS d(id, closed)
                WHERE crm_lead.id = d.id""",
            [leads.ids, closed],
        )
        cls.closed_dates = dict(zip(leads.ids, closed, strict=True))
        cls.env.invalidate_all()

    def _figures(self, evaluation):
        return {
            "closed": evaluation.closed_count,
            "quality": evaluation.ranking_quality,
            "fit": evaluation.fit_ranking_quality,
            "engagement": evaluation.engagement_ranking_quality,
            "wrote": (
                self.rule_wrote.eval_state,
                self.rule_wrote.eval_matched_count,
                self.rule_wrote.eval_won_rate,
            ),
            "phone": (self.rule_phone.eval_matched_count, self.rule_phone.eval_lift),
        }

    def test_three_ranking_qualities_without_the_future(self):
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        first = self._figures(Evaluation.evaluate(self.company))
        self.assertEqual(
            first,
            {
                "closed": 60,
                # only the won leads wrote: the engagement rule ranks perfectly
                "quality": 100.0,
                "fit": 50.0,
                "engagement": 100.0,
                "wrote": ("evaluated", 30, 100.0),
                "phone": (30, 1.0),
            },
        )
        # the lost leads write after their closing (a complaint, a thank-you):
        # no figure moves
        for lead in self.lost:
            message = self._receive_email(lead)
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE mail_message SET date = %s WHERE id = %s",
                [self.closed_dates[lead.id] + timedelta(hours=1), message.id],
            )
        self.assertEqual(self._figures(Evaluation.evaluate(self.company)), first)

    def test_figures_per_company(self):
        """A rule without company is evaluated for each company: each keeps
        its own figures, read with the company (rule.with_company(c))."""
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        # company 2: 10 closed leads of its own, none of them wrote, 4 won
        others = self.Lead.create(
            [
                {
                    "name": f"Company 2 closed {index}",
                    "type": "opportunity",
                    "company_id": self.company_2.id,
                    "phone": "+32 470 00 00 08",
                }
                for index in range(10)
            ]
        )
        others[:4].action_set_won()
        others[4:].action_set_lost()
        first = Evaluation.evaluate(self.company)
        second = Evaluation.evaluate(self.company_2)
        rule = self.rule_wrote
        figures = {
            company.name: (
                rule.with_company(company).eval_evaluation_id,
                rule.with_company(company).eval_matched_count,
                rule.with_company(company).eval_won_rate,
                rule.with_company(company).suggested_points,
            )
            for company in (self.company, self.company_2)
        }
        self.assertEqual(figures[self.company.name][:3], (first, 30, 100.0))
        self.assertEqual(figures[self.company_2.name][:3], (second, 0, 0.0))
        phone = self.rule_phone
        self.assertEqual(
            (
                phone.with_company(self.company).eval_matched_count,
                phone.with_company(self.company_2).eval_matched_count,
            ),
            (30, 10),
        )
        # the scheduled evaluation: company by company, each keeping its own;
        # one failing (here company 2's) leaves the others' figures
        evaluate = type(Evaluation).evaluate

        def failing(records, company=None):
            if company == self.company_2:
                raise RuntimeError("company 2 cannot be evaluated")
            return evaluate(records, company)

        count = Evaluation.search_count([])
        with (
            patch.object(type(Evaluation), "evaluate", failing),
            self.assertLogs(
                "odoo.addons.lead_scoring.models.crm_lead_scoring_evaluation", "ERROR"
            ) as logs,
        ):
            Evaluation._cron_evaluate()
        self.assertIn(self.company_2.name, logs.output[0])
        self.assertEqual(Evaluation.search_count([]), count + 1)
        latest = Evaluation.search([], order="id desc", limit=1)
        self.assertEqual(latest.company_id, self.company)
        self.assertEqual(rule.with_company(self.company).eval_evaluation_id, latest)
        self.assertEqual(rule.with_company(self.company_2).eval_evaluation_id, second)

    def test_won_rate_by_priority(self):
        """The closed leads per cell of the priority matrix, graded with the
        company's thresholds from their points as of their closing."""
        self.company.write(
            {
                "lead_fit_grade_a": 5,
                "lead_fit_grade_b": 3,
                "lead_engagement_level_1": 5,
                "lead_engagement_level_2": 1,
            }
        )
        evaluation = self.env["crm.lead.scoring.evaluation"].evaluate(self.company)
        self.assertEqual(
            [
                (cell.priority, cell.lead_count, cell.won_count, cell.won_rate)
                for cell in evaluation.priority_ids
            ],
            [
                # a phone: fit A; wrote before the closing (the won leads): 1
                ("A1", 15, 15, 100.0),
                ("A3", 15, 0, 0.0),
                ("C1", 15, 15, 100.0),
                ("C3", 15, 0, 0.0),
            ],
        )

    def test_points_faded_at_the_closing_date(self):
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        Lead = self.Lead.sudo().with_context(active_test=False)
        rules = [
            (rule, query)
            for rule, query in Lead._get_scoring_rules()
            if rule in self.rule_phone | self.rule_wrote
        ]
        query = Lead._search([("id", "in", self.won[:1].ids)])
        groups = Evaluation._get_evaluation_groups(query, rules)
        [(flags, points, won, __, count)] = groups["rows"]
        # 10 points, 30 days half-life, the e-mail 10 days before the closing
        self.assertEqual((flags[1], points[1], won, count), (True, 8, True, 1))
