from odoo.tests import HttpCase, tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestLeadUi(HttpCase, LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.user_admin.tour_enabled = False

    def _lead(self, name, **values):
        return self.env["crm.lead"].create(
            {"name": name, "type": "lead", "user_id": self.user_admin.id, **values}
        )

    def test_leads_view_renders(self):
        """CRM > Leads opens and lists the leads with their status."""
        self._lead("Tour lead Hà Nội", lead_status_id=self.status_potential.id)
        self.start_tour("/odoo", "lead_management_leads_view", login="admin")

    def test_kanban_drag_changes_status(self):
        lead = self._lead("Kéo thả trạng thái", lead_status_id=self.status_potential.id)
        self.env.cr.precommit.run()
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads",
            "lead_management_kanban_drag_status",
            login="admin",
        )
        self.assertEqual(lead.lead_status_id, self.status_interested)
        self.env.cr.precommit.run()
        lead.invalidate_recordset()
        changes = lead.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "lead_status_id"
        )
        self.assertEqual(changes.mapped("new_value_char"), ["Interested"])

    def test_bant_makes_lead_qualified(self):
        lead = self._lead("Khách hàng BANT")
        self.assertFalse(lead.is_qualified)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "lead_management_bant_qualify",
            login="admin",
        )
        self.assertEqual(lead.bant_score, 3)
        self.assertTrue(lead.is_qualified)

    def test_address_sets_territory(self):
        lead = self._lead("Địa chỉ mới")
        self.assertFalse(lead.territory_id)
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "lead_management_address_territory",
            login="admin",
        )
        self.assertEqual(lead.territory_id, self.territory_hn)
        self.assertEqual(lead.regional_manager_id, self.user_regional)
        self.assertFalse(lead.territory_is_manual)

    def test_kanban_drag_to_qualified_refused(self):
        lead = self._lead("Chưa đủ BANT", lead_status_id=self.status_potential.id)
        self.env.cr.precommit.run()
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads",
            "lead_management_kanban_drag_qualified_refused",
            login="admin",
        )
        lead.invalidate_recordset()
        self.assertEqual(lead.lead_status_id, self.status_potential)

    def test_lead_analysis_opens_with_data(self):
        """Reporting > Lead Analysis shows the status funnel, then leads and
        conversion rate by territory."""
        territory = self.env["crm.territory"].create(
            {"name": "Tour analysis territory", "code": "T-TOUR"}
        )
        self._lead("Analysis lead", territory_id=territory.id)
        self._lead(
            "Analysis opportunity", territory_id=territory.id, type="opportunity"
        )
        self.start_tour("/odoo", "lead_management_lead_analysis", login="admin")
