from odoo.tests import tagged, users, warmup

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestPerformance(LeadConversionCommon):
    """Converting 20 leads costs a bounded number of queries more per lead than
    converting 1 (partners are created in batches, duplicates searched once
    per rule)."""

    def _leads(self, count, tag):
        return self.env["crm.lead"].create(
            [
                {
                    "name": f"Lead {tag} {index}",
                    "type": "lead",
                    "partner_name": f"Công ty {tag} {index}",
                    "contact_name": f"Người {tag} {index}",
                    "email_from": f"nguoi{index}@{tag}.vn",
                    "phone": f"0915 {tag} {index:03d}",
                    "user_id": self.user_salesman.id,
                    "team_id": self.team.id,
                    "bant_budget": "yes",
                    "bant_authority": "decision_maker",
                    "bant_need": "identified",
                }
                for index in range(count)
            ]
        )

    def _convert_counting(self, leads):
        wizard = self._wizard(leads.with_env(self.env))
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        wizard.action_convert()
        self.env.flush_all()
        return self.cr.sql_log_count - start

    @users("lc_salesman")
    @warmup
    def test_query_count_1_vs_20(self):
        leads_1 = self._leads(1, "111")
        leads_20 = self._leads(20, "222")
        count_1 = self._convert_counting(leads_1)
        count_20 = self._convert_counting(leads_20)
        self.assertEqual(set(leads_20.mapped("type")), {"opportunity"})
        self.assertLessEqual(count_1, 100)
        # a bounded number of queries per extra lead
        self.assertLessEqual((count_20 - count_1) / 19, 7, (count_1, count_20))

    @users("lc_salesman")
    @warmup
    def test_query_count_wizard_opening(self):
        """Opening the wizard on 20 leads costs the same as on 1."""
        leads_1 = self._leads(1, "333")
        leads_20 = self._leads(20, "444")
        counts = []
        for leads in (leads_1, leads_20):
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            self._wizard(leads.with_env(self.env))
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - start)
        self.assertLessEqual(counts[1], counts[0] + 3, counts)
