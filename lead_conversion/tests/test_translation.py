import difflib
import io
import re

import polib

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import file_open, file_path
from odoo.tools.translate import trans_export

from .common import LeadConversionCommon

ADDON = "lead_conversion"
# placeholders and HTML tags a translation must keep as they are
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}]*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def _entries(catalog):
    """A .po/.pot text without its header, which carries dates."""
    return catalog[catalog.index("\n#. module: ") :]


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
