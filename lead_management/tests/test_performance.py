from odoo.tests import tagged

from .common import LeadManagementCommon

# queries the addon may add to opening the leads kanban or list, whatever the
# number of leads: one per new many2one column (status, territory, ...)
EXTRA_QUERIES = 4


@tagged("post_install", "-at_install")
class TestViewQueries(LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        tags = cls.env["crm.tag"].create([{"name": f"Nhãn {i}"} for i in range(3)])
        states = [cls.state_hn, cls.state_sg, cls.state_dn]
        # (Qualified requires a BANT qualification these leads do not have)
        statuses = cls.env["crm.lead.status"].search(
            [("requires_qualification", "=", False)]
        )
        users = [cls.user_salesman, cls.user_salesman_other, cls.user_team_leader]
        cls.leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"Khách hàng {i}",
                    "type": "lead",
                    "partner_name": f"Công ty {i}",
                    "email_from": f"kh{i}@example.vn",
                    "country_id": cls.vn.id,
                    "state_id": states[i % 3].id,
                    "user_id": users[i % 3].id,
                    "lead_status_id": statuses[i % len(statuses)].id,
                    "tag_ids": [(6, 0, tags[: i % 4].ids)],
                    "bant_budget": "yes" if i % 2 else "unknown",
                }
                for i in range(80)
            ]
        )
        cls.views = cls.env.ref("lead_management.view_crm_lead_kanban") | cls.env.ref(
            "lead_management.crm_case_tree_view_leads"
        )

    def _spec(self, view_type):
        view = {
            "kanban": self.env.ref("crm.view_crm_lead_kanban"),
            "list": self.env.ref("crm.crm_case_tree_view_leads"),
        }[view_type]
        result = self.env["crm.lead"].get_views([(view.id, view_type)])
        fields = result["models"]["crm.lead"]["fields"]
        return {
            name: {"fields": {"display_name": {}}}
            if field["type"] in ("many2one", "many2many", "one2many")
            else {}
            for name, field in fields.items()
        }

    def _count_open(self, view_type, limit=80):
        spec = self._spec(view_type)
        domain = [("id", "in", self.leads.ids)]
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self._spec(view_type)  # warm the view cache
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        records = self.env["crm.lead"].web_search_read(domain, spec, limit=limit)
        if view_type == "kanban":
            self.env["crm.lead"].web_read_group(
                domain, ["lead_status_id"], ["lead_status_id"]
            )
        self.assertEqual(records["length"], 80)
        return self.env.cr.sql_log_count - before

    def test_kanban_and_list_queries(self):
        for view_type in ("kanban", "list"):
            with self.subTest(view_type=view_type):
                with_addon = self._count_open(view_type)
                with_addon_40 = self._count_open(view_type, limit=40)
                self.views.active = False
                without_addon = self._count_open(view_type)
                self.views.active = True
                self.assertLessEqual(with_addon, without_addon + EXTRA_QUERIES)
                self.assertEqual(with_addon, with_addon_40, "not per record")
