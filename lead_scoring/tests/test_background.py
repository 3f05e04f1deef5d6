from odoo.addons.lead_scoring.models.crm_lead import defer_scoring
from odoo.exceptions import AccessError
from odoo.tests import tagged, users, warmup

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestBackgroundRescoring(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's leads are scored (the demo leads leave the scope)
        defer_scoring(cls.env["crm.lead"]).search([]).write({"active": False})
        cls.Job = cls.env["crm.lead.scoring.job"]
        cls.Job.search([]).unlink()
        cls.cron = cls.env.ref("lead_scoring.ir_cron_lead_scoring_rescore")
        cls.leads = cls.Lead.create(
            [
                {
                    "name": f"Background {i}",
                    "type": "lead",
                    "company_id": cls.company.id,
                }
                for i in range(5)
            ]
        )
        cls.lead_c2 = cls.Lead.create(
            {"name": "Background other", "type": "lead", "company_id": cls.company_2.id}
        )
        cls.rule = cls._create_rule("Background", 5, [("name", "ilike", "background")])
        cls.params = cls.env["ir.config_parameter"].sudo()
        cls.params.set_param("lead_scoring.sync_rescore_limit", 3)
        cls.params.set_param("lead_scoring.rescore_batch_size", 2)

    def _run_batch(self):
        """One call of the cron, as the cron worker makes it; returns its
        progress record."""
        cron, progress = self.cron._add_progress()
        self.Job.with_context(
            cron.env.context, ir_cron_progress_id=progress.id
        )._cron_rescore_leads()
        return progress

    def _triggers(self):
        return self.env["ir.cron.trigger"].search_count(
            [("cron_id", "=", self.cron.id)]
        )

    def test_small_change_immediate(self):
        self.params.set_param("lead_scoring.sync_rescore_limit", 5000)
        self.rule.points = 7
        self.assertEqual(self.leads.mapped("lead_score"), [7] * 5)
        self.assertFalse(self.Job.search([]))
        self.assertEqual(self.rule.rescoring_remaining, 0)

    def test_limit_switches_to_background(self):
        self.params.set_param("lead_scoring.sync_rescore_limit", 5000)
        self.fewer = defer_scoring(self.Rule).create(
            [
                # matches two leads now
                {
                    "name": "Two",
                    "points": 1,
                    "domain": "[('name', 'in', %r)]" % self.leads[:2].mapped("name"),
                },
                # matched one lead at its last scoring, archived since
                {
                    "name": "Archived",
                    "points": 1,
                    "domain": "[('name', '=', %r)]" % self.leads[2].name,
                },
                {"name": "None", "points": 1, "domain": "[('id', '=', 0)]"},
            ]
        )
        self.leads[:3]._scoring_rescore_leads()
        defer_scoring(self.fewer[1]).active = False
        self.params.set_param("lead_scoring.sync_rescore_limit", 3)
        triggers = self._triggers()
        self.rule.points = 9
        # 6 leads in scope, more than the limit of 3: nothing scored yet
        self.assertEqual(self.leads.mapped("lead_score"), [6, 6, 6, 5, 5])
        self.assertEqual(len(self.Job.search([])), 1)
        self.assertEqual(self._triggers(), triggers + 1, "the cron is triggered")
        self.assertEqual(self.rule.rescoring_remaining, 6)
        self.assertTrue(all(self.leads.mapped("score_pending")))
        # each rule counts the pending leads its points may change: those it
        # matches now or matched at their last scoring
        rules = self.Rule.with_context(active_test=False)
        self.assertEqual(
            [rules.browse(rule.id).rescoring_remaining for rule in self.fewer],
            [2, 1, 0],
        )
        # at most the limit: immediate
        self.params.set_param("lead_scoring.sync_rescore_limit", 6)
        other = self._create_rule("Other", 1, [("id", "=", 0)], company=self.company)
        self.assertEqual(len(self.Job.search([])), 1)
        self.assertFalse(other.error_message)

    @users("scoring_salesman")
    def test_pending_shown_to_salesman(self):
        self.rule.with_user(self.user_sales_manager).points = 9
        leads = self.leads.with_env(self.env)
        self.assertTrue(all(leads.mapped("score_pending")))
        self.assertEqual(leads.mapped("lead_score"), [5] * 5)
        rule = self.rule.with_env(self.env)
        self.assertEqual(rule.rescoring_remaining, 6)
        job = self.env["crm.lead.scoring.job"].search([])
        self.assertEqual(len(job), 1)
        with self.assertRaises(AccessError):
            job.write({"last_lead_id": 0})
        with self.assertRaises(AccessError):
            self.env["crm.lead.scoring.job"].create({})

    def test_company_scope(self):
        rule_c2 = self._create_rule(
            "Other company",
            2,
            [("name", "ilike", "background")],
            company=self.company_2,
        )
        self.params.set_param("lead_scoring.sync_rescore_limit", 5000)
        rule_c1 = self._create_rule(
            "First company", 0, [("id", "=", 0)], company=self.company, active=False
        )
        self.params.set_param("lead_scoring.sync_rescore_limit", 0)
        rule_c2.points = 4
        job = self.Job.search([])
        self.assertEqual(job.company_id, self.company_2)
        self.assertTrue(self.lead_c2.score_pending)
        self.assertFalse(any(self.leads.mapped("score_pending")))
        self.assertEqual(rule_c2.rescoring_remaining, 1)
        self.assertEqual(self.rule.rescoring_remaining, 1, "a rule of every company")
        self.assertEqual(rule_c1.rescoring_remaining, 0)
        self._run_batch()
        self.assertFalse(self.Job.search([]))
        self.assertEqual(self.lead_c2.lead_score, 5 + 4)
        self.assertFalse(self.lead_c2.score_pending)

    def test_batches_progress(self):
        History = self.env["crm.lead.score.history"]
        history = History.search_count([("lead_id", "in", self.leads.ids)])
        self.rule.points = 9
        job = self.Job.search([])
        progress = self._run_batch()
        # the two first leads by id, the progress stored on the request
        self.assertEqual(self.leads.mapped("lead_score"), [9, 9, 5, 5, 5])
        self.assertEqual(job.last_lead_id, self.leads[1].id)
        self.assertEqual((progress.done, progress.remaining), (2, 4))
        self.assertEqual(
            self.leads.mapped("score_pending"), [False, False, True, True, True]
        )
        self.assertEqual(self.rule.rescoring_remaining, 4)
        progress = self._run_batch()
        self.assertEqual((progress.done, progress.remaining), (2, 2))
        self.assertEqual(job.last_lead_id, self.leads[3].id)
        progress = self._run_batch()
        self.assertEqual((progress.done, progress.remaining), (2, 0))
        self.assertFalse(job.exists(), "the run is over")
        self.assertEqual(self.leads.mapped("lead_score"), [9] * 5)
        self.assertEqual(self.lead_c2.lead_score, 9)
        self.assertFalse(any(self.leads.mapped("score_pending")))
        self.assertEqual(self.rule.rescoring_remaining, 0)
        self.assertEqual(
            History.search_count([("lead_id", "in", self.leads.ids)]), history + 5
        )
        # nothing pending: the cron does nothing
        progress = self._run_batch()
        self.assertEqual((progress.done, progress.remaining), (0, 0))

    def test_restart_on_new_save(self):
        self.rule.points = 9
        self._run_batch()
        self.assertEqual(self.leads.mapped("lead_score"), [9, 9, 5, 5, 5])
        self.rule.points = 11
        self.assertEqual(len(self.Job.search([])), 2)
        self.assertTrue(
            all(self.leads.mapped("score_pending")), "from the first lead again"
        )
        self.assertEqual(self.rule.rescoring_remaining, 6)
        progress = self._run_batch()
        self.assertEqual((progress.done, progress.remaining), (2, 4))
        self.assertEqual(self.leads.mapped("lead_score"), [11, 11, 5, 5, 5])
        for __ in range(2):
            self._run_batch()
        self.assertFalse(self.Job.search([]))
        self.assertEqual(self.leads.mapped("lead_score"), [11] * 5)
        self.assertEqual(
            self.leads[0].score_history_ids.mapped("new_score")[:2], [11, 9]
        )
        self.assertEqual(self.leads[4].score_history_ids[0].old_score, 5)

    def test_nightly_cron_batched(self):
        self._set_lead_in_sql(self.leads | self.lead_c2, "probability", 10)
        self.params.set_param("lead_scoring.sync_rescore_limit", 5000)
        self._create_rule("Likely", 4, [("probability", ">=", 50)])
        self.params.set_param("lead_scoring.sync_rescore_limit", 3)
        self.assertEqual(self.leads.mapped("lead_score"), [5] * 5)
        self._set_lead_in_sql(self.leads[:2], "probability", 60)
        self.Lead._cron_recompute_lead_scores()
        # two leads changed, under the limit of 3: rescored at once
        self.assertFalse(self.Job.search([]))
        self.assertEqual(self.leads.mapped("lead_score"), [9, 9, 5, 5, 5])
        self._set_lead_in_sql(self.leads[2:] | self.lead_c2, "probability", 70)
        Event = self.env["crm.lead.scoring.event"]
        Event.search([]).unlink()
        self.Lead._cron_recompute_lead_scores()
        # four leads changed, over the limit: those four are marked for the
        # background rescoring, by batches of the batch size
        self.assertFalse(self.Job.search([]))
        self.assertEqual(
            set(Event.search([]).lead_id.ids), set((self.leads[2:] | self.lead_c2).ids)
        )
        self.assertEqual(self.leads.mapped("lead_score"), [9, 9, 5, 5, 5])
        self.assertEqual(
            self.leads.mapped("score_pending"), [False, False, True, True, True]
        )
        self.params.set_param("lead_scoring.rescore_batch_size", 3)
        Event._cron_rescore_marked_leads()
        self.assertEqual(Event.search_count([]), 1)
        Event._cron_rescore_marked_leads()
        self.assertFalse(Event.search([]))
        self.leads.invalidate_recordset()
        self.assertEqual(self.leads.mapped("lead_score"), [9, 9, 9, 9, 9])
        self.assertFalse(any(self.leads.mapped("score_pending")))

    def _set_score_in_sql(self, lead, score):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead_score SET score = %s WHERE lead_id = %s", [score, lead.id]
        )
        lead.invalidate_recordset(["lead_score"])

    def test_rescore_all_leads(self):
        # a score changed outside Odoo: the nightly pass does not see it
        self._set_score_in_sql(self.leads[0], 0)
        self.Lead._cron_recompute_lead_scores()
        self.assertEqual(self.leads[0].lead_score, 0)
        with self.assertRaises(AccessError):
            self.Rule.with_user(self.user_sales_salesman).action_rescore_all_leads()
        self.assertFalse(self.Job.search([]))
        # six leads, over the limit of 3: in the background
        action = self.Rule.with_user(self.user_sales_manager).action_rescore_all_leads()
        self.assertEqual(
            action["params"]["message"],
            "Every lead is being rescored in the background; the rules show the "
            "leads remaining.",
        )
        self.assertEqual(self.rule.rescoring_remaining, 6)
        for __ in range(3):
            self._run_batch()
        self.assertFalse(self.Job.search([]))
        self.assertEqual(self.leads.mapped("lead_score"), [5] * 5)
        # under the limit: at once
        self.params.set_param("lead_scoring.sync_rescore_limit", 5000)
        self._set_score_in_sql(self.leads[1], 0)
        action = self.Rule.with_user(self.user_sales_manager).action_rescore_all_leads()
        self.assertEqual(action["params"]["message"], "Every lead was rescored.")
        self.assertEqual(self.leads[1].lead_score, 5)
        self.assertFalse(self.Job.search([]))

    def test_lead_edit_still_immediate(self):
        self.rule.points = 9
        lead = self._create_lead("Background new")
        self.assertEqual(lead.lead_score, 9)
        self.leads[0].name = "Moved away"
        self.assertEqual(self.leads[0].lead_score, 0)

    def _count_batch_queries(self):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        self._run_batch()
        self.env.flush_all()
        return self.cr.sql_log_count - start

    @warmup
    def test_batch_query_count(self):
        self.Lead.create(
            [{"name": f"Background more {i}", "type": "lead"} for i in range(40)]
        )
        self.rule.points = 9
        # (2 of them the savepoint a batch met by a concurrent edit rolls back,
        # 2 the temporary table of the batch's reading part, 3 the companies'
        # priority thresholds and the main company's id, whose thresholds
        # grade the leads without company, read again after the rule's change
        # cleared the caches)
        with self.assertQueryCount(__system__=17):
            self._run_batch()
        # the same queries for a batch of 2 leads and for one of 20
        small = self._count_batch_queries()
        self.params.set_param("lead_scoring.rescore_batch_size", 20)
        self._run_batch()  # the parameter's cache
        large = self._count_batch_queries()
        self.assertEqual(small, large)
        self.assertEqual(self.Lead.search_count([("lead_score", "=", 9)]), 44)
        self.assertEqual(self.rule.rescoring_remaining, 46 - 44)
