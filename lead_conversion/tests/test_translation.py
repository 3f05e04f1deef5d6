from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestVietnamese(LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(
            ["lead_management", "lead_conversion"], ["vi_VN"], overwrite=True
        )
        cls.env_vi = cls.env(context=dict(cls.env.context, lang="vi_VN"))

    def test_chatter_in_vietnamese(self):
        lead = self._lead().with_env(self.env_vi)
        self._wizard(lead).action_apply()
        body = lead.message_ids[0].body
        self.assertIn("Được chuyển đổi thành cơ hội bởi", body)
        self.assertIn("Công ty", body)
        self.assertIn("đã được tạo.", body)
        self.assertIn("Được tạo từ lead", lead.partner_id.message_ids[0].body)

    def test_refusal_in_vietnamese(self):
        lead = self._lead(bant_need="none", bant_budget="no").with_env(self.env_vi)
        with self.assertRaisesRegex(UserError, "chưa xác định nhu cầu") as error:
            self._wizard(lead).action_apply()
        self.assertIn("chưa xác nhận ngân sách", str(error.exception))
        self.assertIn("điểm BANT 1/4, cần 3", str(error.exception))
