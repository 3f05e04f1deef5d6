from odoo.tests import tagged, users, warmup

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestPerformance(LeadConversionCommon):
    """The queries of a conversion: the leads are locked at once, the customers
    created in batches (companies, then contacts), the duplicate customers
    searched once per rule for the whole batch, the qualification checked
    without a query and the chatter written in one batch per model. What
    each extra lead costs is crm's own: the write that turns it into an
    opportunity (its customer differs from the others') and what the
    installed addons do on it."""

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
                    "country_id": self.vn.id,
                    "user_id": self.user_salesman.id,
                    "team_id": self.team_north.id,
                    "bant_budget": "yes",
                    "bant_authority": "decision_maker",
                    "bant_need": "identified",
                }
                for index in range(count)
            ]
        )

    def _convert(self, leads, **values):
        """crm's mass conversion of ``leads`` with this addon's options."""
        values = {
            "deduplicate": False,
            "action": "each_exist_or_create",
            "create_company": True,
            "create_contact": True,
            **values,
        }
        wizard = self._wizard(leads, mass=True, **values)
        self.env.flush_all()
        self.env.invalidate_all()
        return wizard

    @users("lm_salesman")
    @warmup
    def test_query_count_1_vs_20(self):
        self.assertTrue(self.env.company.conversion_requires_qualification)
        leads_1 = self._leads(1, "111")
        leads_20 = self._leads(20, "222")
        wizard = self._convert(leads_1)
        with self.assertQueryCount(lm_salesman=59):
            wizard.action_mass_convert()
            self.env.flush_all()
        wizard = self._convert(leads_20)
        # (400 - 59) / 19 = 18 queries per extra lead: crm's write of each
        # opportunity, its tracking and what lead_management and lead_scoring
        # do on each write
        with self.assertQueryCount(lm_salesman=400):
            wizard.action_mass_convert()
            self.env.flush_all()
        self.assertEqual(set(leads_20.mapped("type")), {"opportunity"})
        self.assertEqual(len(leads_20.conversion_partner_ids), 40)

    @users("lm_salesman")
    @warmup
    def test_query_count_wizard_opening(self):
        """Opening the wizard on 20 leads costs one query per lead more than
        on 1: crm's search of each lead's duplicate leads; finding the
        customers matching them and their qualification cost the same."""
        leads_1 = self._leads(1, "333")
        leads_20 = self._leads(20, "444")
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(lm_salesman=9):
            self._wizard(leads_1, mass=True, deduplicate=False)
            self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(lm_salesman=29):
            self._wizard(leads_20, mass=True, deduplicate=False)
            self.env.flush_all()
