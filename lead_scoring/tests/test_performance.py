from odoo.tests import tagged, users, warmup

from .common import LeadScoringCommon


@tagged("post_install", "-at_install")
class TestScoringPerformance(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_rule("Belgium", 8, [("country_id", "=", cls.country_be.id)])
        cls._create_rule("Campaign", 15, [("campaign_id", "=", cls.campaign.id)])
        cls._create_rule("Gmail", -5, [("email_from", "ilike", "@gmail.")])
        cls._create_rule("VIP", 30, [("tag_ids", "in", cls.tag_vip.ids)])
        cls._create_rule("Stage", 3, [("stage_id.sequence", ">=", 0)])
        cls.leads_1 = cls.Lead.create(
            [{"name": "Perf 1", "country_id": cls.country_be.id}]
        )
        cls.leads_50 = cls.Lead.create(
            [
                {
                    "name": f"Perf {i}",
                    "country_id": cls.country_be.id if i % 2 else False,
                    "email_from": f"p{i}@gmail.com",
                }
                for i in range(50)
            ]
        )

    def _count_queries(self, leads):
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        leads.action_recompute_score()
        return self.cr.sql_log_count - start

    @users("scoring_manager")
    @warmup
    def test_query_count_1_vs_50(self):
        # scoring 1 or 50 leads costs the same: per rule one statement
        with self.assertQueryCount(scoring_manager=10):
            self.leads_1.with_env(self.env).action_recompute_score()
        with self.assertQueryCount(scoring_manager=10):
            self.leads_50.with_env(self.env).action_recompute_score()
        self.assertEqual(
            self._count_queries(self.leads_1.with_env(self.env)),
            self._count_queries(self.leads_50.with_env(self.env)),
        )
        self.assertEqual(self.leads_50[1].lead_score, 8 + 3 - 5)

    def test_database_settings_restored(self):
        """The scoring statement sets jit off and work_mem to 64MB for itself:
        the transaction's own values come back after it."""
        self.env.cr.execute("SET LOCAL jit = on; SET LOCAL work_mem = '7MB'")
        self.leads_50.action_recompute_score()
        self.assertEqual(self.leads_50[1].lead_score, 8 + 3 - 5)
        self.env.cr.execute(
            "SELECT current_setting('jit'), current_setting('work_mem')"
        )
        self.assertEqual(self.env.cr.fetchone(), ("on", "7MB"))
