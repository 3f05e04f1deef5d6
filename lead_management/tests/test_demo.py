from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCrmDemoLeads(TransactionCase):
    """crm's demo leads existed before lead_management was installed: each
    has a real status, none sits in the fallback "Unknown". Needs crm's demo
    data: runs on the demo database of make test, not in the steps that
    install without demo data."""

    def test_crm_demo_leads_have_a_real_status(self):
        lead_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "crm"), ("model", "=", "crm.lead")])
            .mapped("res_id")
        )
        leads = self.env["crm.lead"].with_context(active_test=False).browse(lead_ids)
        self.assertGreater(len(leads), 20)
        self.assertTrue(all(leads.mapped("lead_status_id")))
        self.assertFalse(leads.filtered("lead_status_id.is_unknown"))
        # crm's Qualified and Proposition stages map to the status Qualified,
        # which requires a BANT qualification crm's leads do not have: they
        # are Interested
        gated_stages = self.env.ref("crm.stage_lead2") | self.env.ref("crm.stage_lead3")
        in_gated_stages = leads.filtered(
            lambda lead: lead.active and lead.stage_id in gated_stages
        )
        self.assertTrue(in_gated_stages)
        self.assertEqual(
            set(in_gated_stages.mapped("lead_status_id")),
            {self.env.ref("lead_management.lead_status_interested")},
        )
        self.assertFalse(leads.filtered("is_qualified"))
        statuses = set(leads.mapped("lead_status_id.name"))
        self.assertGreaterEqual(len(statuses), 3, statuses)
