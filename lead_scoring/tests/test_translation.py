import re

import polib

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import file_path
from odoo.tools.translate import TranslationModuleReader

from .common import LeadScoringCommon

# msgids whose Vietnamese is the same text: the .po leaves them empty
SAME_IN_VIETNAMESE = {"ID"}


@tagged("post_install", "-at_install")
class TestVietnamese(LeadScoringCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(
            ["lead_scoring"], ["vi_VN"], overwrite=True
        )
        cls.env_vi = cls.env(context=dict(cls.env.context, lang="vi_VN"))

    def test_fields_menu_and_cron_in_vietnamese(self):
        env_vi = self.env_vi
        rule_fields = env_vi["crm.lead.scoring.rule"].fields_get(
            ["points", "lead_count"], ["string"]
        )
        self.assertEqual(rule_fields["points"]["string"], "Số điểm")
        self.assertEqual(
            rule_fields["lead_count"]["string"], "Khách hàng tiềm năng khớp"
        )
        self.assertEqual(
            env_vi["crm.lead"].fields_get(["lead_score"], ["string"])["lead_score"][
                "string"
            ],
            "Điểm",
        )
        self.assertEqual(
            env_vi["crm.team"].fields_get(["min_score"], ["string"])["min_score"][
                "string"
            ],
            "Số điểm tối thiểu",
        )
        self.assertEqual(
            env_vi.ref("lead_scoring.crm_lead_scoring_rule_menu").name,
            "Quy tắc tính điểm",
        )
        self.assertEqual(
            env_vi.ref("lead_scoring.ir_cron_lead_scoring_recompute").name,
            "Tính điểm khách hàng tiềm năng: tính lại",
        )
        self.assertEqual(
            env_vi.ref("lead_scoring.crm_lead_scoring_rule_country_belgium").name,
            "Khách hàng tiềm năng từ Bỉ",
        )

    def test_lead_form_in_vietnamese(self):
        arch = self.env_vi["crm.lead"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        self.assertIn("Quy tắc đã khớp", arch)
        self.assertIn("Lịch sử điểm", arch)

    def test_error_in_vietnamese(self):
        with self.assertRaisesRegex(ValidationError, "không hợp lệ"):
            self.env_vi["crm.lead.scoring.rule"].create(
                {"name": "Sai", "points": 5, "domain": "[('no_such_field', '=', 1)]"}
            )

    def test_notification_in_vietnamese(self):
        lead = self._create_lead("Thông báo", user_id=self.user_sales_salesman.id)
        team = self.env["crm.team"].create({"name": "Nhóm thông báo"})
        # in the language of the salesperson, whoever runs the assignment
        self.user_sales_salesman.lang = "vi_VN"
        team._notify_assigned_leads(self.user_sales_salesman, lead)
        message = self.env["mail.message"].search(
            [("partner_ids", "in", self.user_sales_salesman.partner_id.ids)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(
            message.subject, "Khách hàng tiềm năng mới được giao cho bạn (1)"
        )
        self.assertIn(
            "Khách hàng tiềm năng mới đã được giao cho bạn, điểm cao nhất trước:",
            message.body,
        )
        self.assertIn("Điểm", message.body)

    def test_po_file_translates_every_string(self):
        po = polib.pofile(file_path("lead_scoring/i18n/vi.po"))
        untranslated = {
            entry.msgid for entry in po if not entry.obsolete and not entry.msgstr
        } - SAME_IN_VIETNAMESE
        self.assertFalse(untranslated, "untranslated entries in vi.po")
        placeholder = re.compile(r"%\(\w+\)s")
        for entry in po:
            if entry.msgstr:
                self.assertEqual(
                    sorted(placeholder.findall(entry.msgid)),
                    sorted(placeholder.findall(entry.msgstr)),
                    entry.msgid,
                )
        # every term the addon declares now (code, views, data) is in the .po
        terms = {
            row[4]
            for row in TranslationModuleReader(self.env.cr, modules=["lead_scoring"])
        }
        missing = terms - {entry.msgid for entry in po if not entry.obsolete}
        self.assertFalse(missing, "strings missing from vi.po")
