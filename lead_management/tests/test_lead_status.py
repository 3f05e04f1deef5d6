from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestLeadStatus(LeadManagementCommon):
    def test_preloaded_statuses(self):
        Status = self.env["crm.lead.status"]
        names = Status.search([]).mapped("name")
        for name in (
            "Potential",
            "Interested",
            "Qualified",
            "Customer",
            "Not interested",
            "Bad fit",
            "Trial",
            "Trial expired",
            "Canceled",
            "Unknown",
        ):
            self.assertIn(name, names)
        self.assertEqual(len(names), len(set(names)), "Customer/Bad fit are shared")
        self.assertTrue(self.status_unknown.is_unknown)
        self.assertEqual(
            Status.search([("is_unknown", "=", True)]), self.status_unknown
        )

    def test_default_status_first_non_fallback(self):
        self.status_unknown.sequence = 0
        first = self.env["crm.lead.status"].search(
            [("is_unknown", "=", False)], limit=1
        )
        lead = self.env["crm.lead"].create({"name": "Khách mới"})
        self.assertEqual(lead.lead_status_id, first)
        self.assertFalse(lead.lead_status_id.is_unknown)
        # reordering changes the default
        self.status_interested.sequence = -1
        lead2 = self.env["crm.lead"].create({"name": "Khách mới 2"})
        self.assertEqual(lead2.lead_status_id, self.status_interested)

    def test_status_change_tracked(self):
        lead = self.env["crm.lead"].create({"name": "Theo dõi trạng thái"})
        self.flush_tracking()
        lead.lead_status_id = self.status_interested
        self.flush_tracking()
        values = lead.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "lead_status_id"
        )
        self.assertEqual(len(values), 1)
        self.assertEqual(values.new_value_char, "Interested")

    def test_rename_shows_everywhere(self):
        lead = self.env["crm.lead"].create(
            {"name": "Đổi tên", "lead_status_id": self.status_interested.id}
        )
        self.status_interested.name = "Quan tâm nhiều"
        self.assertEqual(lead.lead_status_id.display_name, "Quan tâm nhiều")

    def test_delete_moves_leads_to_fallback(self):
        leads = self.env["crm.lead"].create(
            [
                {"name": f"Lead {i}", "lead_status_id": self.status_interested.id}
                for i in range(3)
            ]
        )
        archived = self.env["crm.lead"].create(
            {
                "name": "Archived",
                "lead_status_id": self.status_interested.id,
                "active": False,
            }
        )
        self.status_interested.unlink()
        self.assertFalse(self.status_interested.exists())
        self.assertEqual(len(leads.exists()), 3, "no lead is deleted")
        self.assertEqual(leads.lead_status_id, self.status_unknown)
        self.assertEqual(archived.lead_status_id, self.status_unknown)

    def test_fallback_cannot_be_deleted(self):
        lead = self.env["crm.lead"].create(
            {"name": "Fallback", "lead_status_id": self.status_unknown.id}
        )
        with self.assertRaisesRegex(UserError, "fallback"):
            self.status_unknown.unlink()
        with self.assertRaisesRegex(UserError, "fallback"):
            (self.status_unknown | self.status_potential).unlink()
        self.assertTrue(self.status_unknown.exists())
        self.assertTrue(self.status_potential.exists())
        self.assertEqual(lead.lead_status_id, self.status_unknown)

    def test_kanban_columns_all_statuses(self):
        """Grouped by status, every status is a column, empty ones included."""
        self.env["crm.lead"].create(
            {"name": "Only one", "lead_status_id": self.status_potential.id}
        )
        groups = self.env["crm.lead"].web_read_group(
            [("type", "=", "lead")], ["lead_status_id"], ["lead_status_id"]
        )["groups"]
        statuses = self.env["crm.lead.status"].search([])
        self.assertEqual([group["lead_status_id"][0] for group in groups], statuses.ids)
        self.assertFalse(
            self.env["crm.lead"].search_count([("lead_status_id", "=", False)]),
            "every lead has a status, those existing at install included",
        )
        folded = {group["lead_status_id"][0] for group in groups if group.get("__fold")}
        self.assertEqual(folded, set(statuses.filtered("fold").ids))

    def test_bulk_status_change(self):
        leads = self.env["crm.lead"].create([{"name": f"Bulk {i}"} for i in range(5)])
        self.flush_tracking()
        leads.write({"lead_status_id": self.status_customer.id})
        self.assertEqual(leads.lead_status_id, self.status_customer)
        self.flush_tracking()
        for lead in leads:
            self.assertIn(
                "lead_status_id",
                lead.message_ids.tracking_value_ids.field_id.mapped("name"),
            )
