import difflib
import io
import re

import polib

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open, file_path
from odoo.tools.translate import trans_export

from .common import LeadScoringCommon

ADDON = "lead_scoring"
# placeholders and HTML tags a translation must keep as they are
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}]*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def _entries(catalog):
    """A .po/.pot text without its header, which carries dates."""
    return catalog[catalog.index("\n#. module: ") :]


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
        self.assertEqual(rule_fields["lead_count"]["string"], "Lead được tính điểm")
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
            "Tính điểm lead: tính lại",
        )
        self.assertEqual(
            env_vi.ref("lead_scoring.crm_lead_scoring_rule_country_belgium").name,
            "Lead từ Bỉ",
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

    def test_engagement_in_vietnamese(self):
        labels = self.env_vi["crm.lead"].fields_get(
            ["fit_score", "engagement_score"], ["string"]
        )
        self.assertEqual(labels["fit_score"]["string"], "Điểm phù hợp")
        self.assertEqual(labels["engagement_score"]["string"], "Điểm tương tác")
        arch = self.env_vi["crm.lead.scoring.rule"].get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertIn("Điểm giảm một nửa sau mỗi", arch)
        with self.assertRaises(ValidationError) as catcher:
            self.env_vi["crm.lead.scoring.rule"].create(
                {
                    "name": "Sai",
                    "points": 5,
                    "rule_type": "engagement",
                    "event_type": "email_received",
                    "event_min_count": 0,
                }
            )
        self.assertIn("số sự kiện tối thiểu phải ít nhất là 1", str(catcher.exception))

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
        self.assertEqual(message.subject, "Lead mới được phân công cho bạn (1)")
        self.assertIn(
            "Lead mới đã được phân công cho bạn, điểm cao nhất trước:",
            message.body,
        )
        self.assertIn("Điểm", message.body)


@tagged("post_install", "-at_install")
class TestTranslationFiles(TransactionCase):
    """The .pot is what Odoo exports now and vi.po translates all of it."""

    def test_pot_is_a_fresh_export(self):
        buffer = io.BytesIO()
        trans_export(None, [ADDON], buffer, "po", self.env.cr)
        fresh = buffer.getvalue().decode()
        with file_open(f"{ADDON}/i18n/{ADDON}.pot") as pot:
            committed = pot.read()
        message = (
            f"{ADDON}.pot differs from a fresh export (odoo-bin --i18n-export): "
            "regenerate it and merge the new strings into vi.po"
        )
        if self.env["ir.module.module"].search([("name", "=", ADDON)]).demo:
            diff = difflib.unified_diff(
                _entries(committed).splitlines(),
                _entries(fresh).splitlines(),
                f"{ADDON}.pot",
                "fresh export",
                lineterm="",
            )
            self.assertFalse("\n".join(diff), message)
        else:
            # the .pot comes from a database with demo data, which adds strings
            msgids = {entry.msgid for entry in polib.pofile(committed)}
            fresh_msgids = {entry.msgid for entry in polib.pofile(fresh)}
            self.assertFalse(fresh_msgids - msgids, message)

    def test_po_translates_every_msgid(self):
        pot = polib.pofile(file_path(f"{ADDON}/i18n/{ADDON}.pot"))
        po = polib.pofile(file_path(f"{ADDON}/i18n/vi.po"))
        self.assertEqual(
            {(entry.msgctxt, entry.msgid) for entry in po},
            {(entry.msgctxt, entry.msgid) for entry in pot},
            "vi.po and the .pot hold different msgids",
        )
        # a word Vietnamese says as the source does ("ID", "Lead", the demo's
        # Vietnamese names) is translated by itself, as in Odoo's own vi.po
        untranslated = [entry.msgid for entry in po if not entry.msgstr]
        self.assertEqual(untranslated, [], "untranslated entries in vi.po")
        self.assertEqual(po.fuzzy_entries(), [], "fuzzy entries in vi.po")
        for entry in po.translated_entries():
            with self.subTest(msgid=entry.msgid):
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(entry.msgstr)),
                    sorted(PLACEHOLDER.findall(entry.msgid)),
                )
                self.assertEqual(TAG.findall(entry.msgstr), TAG.findall(entry.msgid))
