from odoo.tests import tagged
from odoo.tools import file_open

from .channels import ChannelCommon

TEMPLATE = "lead_management/static/xls/crm_lead_import_template.xlsx"


@tagged("post_install", "-at_install")
class TestChannelImport(ChannelCommon):
    """The import template offered on the leads' list, imported as the web
    client's import screen does (base_import: preview, then import with the
    columns it recognised)."""

    def test_import_template_gives_complete_leads(self):
        with file_open(TEMPLATE, "rb") as template:
            content = template.read()
        wizard = (
            self.env["base_import.import"]
            .with_user(self.user_manager)
            .create(
                {
                    "res_model": "crm.lead",
                    "file": content,
                    "file_name": "crm_lead_import_template.xlsx",
                    "file_type": "application/vnd.openxmlformats-officedocument"
                    ".spreadsheetml.sheet",
                }
            )
        )
        options = {"has_headers": True, "quoting": '"', "separator": ","}
        preview = wizard.parse_preview(options)
        self.assertFalse(preview.get("error"), preview.get("error"))
        # every column of the template is recognised
        fields = [
            (preview["matches"].get(index) or [None])[0]
            for index in range(len(preview["headers"]))
        ]
        self.assertNotIn(
            None, fields, dict(zip(preview["headers"], fields, strict=True))
        )
        result = wizard.execute_import(
            fields, preview["headers"], dict(options, import_skip_records=[])
        )
        self.assertFalse(result["messages"], result["messages"])
        leads = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(len(leads), 2)
        hanoi, saigon = leads
        self.assertEqual(hanoi.partner_name, "Công ty TNHH Minh Phát")
        self.assertEqual(hanoi.territory_id, self.territory_hn)
        self.assertEqual(hanoi.team_id, self.team_north)
        self.assertEqual(hanoi.team_leader_id, self.user_team_leader)
        self.assertEqual(hanoi.regional_manager_id, self.user_regional)
        self.assertEqual(hanoi.lead_status_id, self.status_potential)
        # the second row names no territory: its ZIP gives Hồ Chí Minh City
        self.assertEqual(saigon.territory_id, self.territory_sg)
        self.assertEqual(saigon.team_id, self.team_south)
        self.assertEqual(saigon.lead_status_id, self.status_interested)
        for lead in leads:
            self.assertEqual(lead.bant_score, 0)
            self.assertFalse(lead.is_qualified)
            self.assertFalse(lead.is_returning)
            self.assertEqual(lead.score_rule_ids, self.rule_email | self.rule_vn)
            self.assertEqual(lead.lead_score, 25)
