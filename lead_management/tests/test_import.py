from odoo.tests import tagged
from odoo.tools import file_open

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestImport(LeadManagementCommon):
    def test_import_matches_status_and_territory_by_name(self):
        result = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .load(
                ["name", "email_from", "lead_status_id", "territory_id", "bant_budget"],
                [
                    ["Nhập 1", "a@x.vn", "Interested", "TP. Hồ Chí Minh", "yes"],
                    ["Nhập 2", "b@x.vn", "Customer", "Hà Nội", "unknown"],
                ],
            )
        )
        self.assertFalse(result["messages"], result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(
            leads.mapped("lead_status_id"),
            self.status_interested | self.status_customer,
        )
        self.assertEqual(leads[0].territory_id, self.territory_sg)
        self.assertEqual(leads[1].territory_id, self.territory_hn)

    def test_import_unknown_status_reported(self):
        result = self.env["crm.lead"].load(
            ["name", "lead_status_id"], [["Bad", "No such status"]]
        )
        self.assertTrue(result["messages"])
        self.assertEqual(result["messages"][0]["type"], "error")
        self.assertFalse(result["ids"])

    def test_import_template(self):
        templates = self.env["crm.lead"].get_import_templates()
        ours = templates[0]
        self.assertIn("lead_management", ours["template"])
        path = ours["template"].lstrip("/")
        with file_open(
            path.replace("lead_management/", "lead_management/", 1), "rb"
        ) as f:
            self.assertTrue(f.read(4).startswith(b"PK"), "an xlsx file")
        self.assertTrue(any("/crm/" in t["template"] for t in templates[1:]))
