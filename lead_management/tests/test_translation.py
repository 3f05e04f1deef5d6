from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestVietnamese(LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(
            ["lead_management"], ["vi_VN"], overwrite=True
        )

    def test_statuses_and_fields_in_vietnamese(self):
        env_vi = self.env(context=dict(self.env.context, lang="vi_VN"))
        self.assertEqual(
            env_vi.ref("lead_management.lead_status_unknown").name, "Chưa rõ"
        )
        self.assertEqual(
            env_vi.ref("lead_management.lead_status_potential").name, "Tiềm năng"
        )
        fields = env_vi["crm.lead"].fields_get(["lead_status_id", "bant_timeline"])
        self.assertEqual(
            fields["lead_status_id"]["string"], "Trạng thái khách hàng tiềm năng"
        )
        self.assertIn(
            ("quarter", "Trong quý này"), fields["bant_timeline"]["selection"]
        )

    def test_error_in_vietnamese(self):
        status = self.status_unknown.with_context(lang="vi_VN")
        with self.assertRaisesRegex(UserError, "không thể xóa"):
            status.unlink()
