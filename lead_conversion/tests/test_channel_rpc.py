import contextlib
import importlib.util
import io
from pathlib import Path

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, tagged

from .channels import ChannelCommon

CLIENT = Path(__file__).resolve().parents[2] / "examples" / "lead_client.py"


def load_client():
    spec = importlib.util.spec_from_file_location("lead_client", CLIENT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestChannelJsonRpc(ChannelCommon, HttpCase):
    """The example client of ``examples/lead_client.py`` against the test
    server over JSON-RPC, as an integration user whose own sales team is
    neither territory's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_module = load_client()
        cls.user_integration = mail_new_test_user(
            cls.env,
            login="lc_integration",
            name="Tích hợp hệ thống",
            password="lc-integration-2026",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        cls.team_sales = cls.env["crm.team"].create({"name": "Sales"})
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_sales.id, "user_id": cls.user_integration.id}
        )

    def _client(self):
        return self.client_module.OdooClient(
            self.base_url(),
            self.env.cr.dbname,
            "lc_integration",
            "lc-integration-2026",
        )

    def test_client_creates_reads_qualifies_and_converts(self):
        lc = self.client_module
        client = self._client()
        self.assertEqual(client.uid, self.user_integration.id)
        lead_ids = lc.create_leads(
            client,
            [
                {
                    "name": "Phần mềm kế toán",
                    "partner_name": "Công ty TNHH Ánh Dương",
                    "contact_name": "Nguyễn Văn An",
                    "email_from": "an.nguyen@anhduong.example.vn",
                    "zip": "700000",
                    "country_id": self.vn.id,
                },
                {
                    "name": "Sao Mai mua thêm",
                    "partner_id": self.customer_sg.id,
                },
                {
                    "name": "Chọn đội Miền Bắc",
                    "email_from": "x@example.vn",
                    "state_id": self.state_sg.id,
                    "team_id": self.team_north.id,
                },
            ],
        )
        self.env.invalidate_all()
        leads = self.env["crm.lead"].browse(lead_ids)
        new, returning, given = leads
        self.assertEqual(new.user_id, self.user_integration)
        self.assertCompleteLead(
            new,
            territory=self.territory_sg,
            team=self.team_south,
            returning=False,
            rules=self.rule_email | self.rule_vn,
        )
        self.assertCompleteLead(
            returning,
            territory=self.territory_sg,
            team=self.team_south,
            returning=True,
            rules=self.rule_email | self.rule_vn,
        )
        self.assertEqual(given.territory_id, self.territory_sg)
        self.assertEqual(given.team_id, self.team_north, "a given team is kept")

        read = {lead["id"]: lead for lead in lc.read_leads(client, lead_ids)}
        self.assertEqual(read[new.id]["territory_id"][0], self.territory_sg.id)
        self.assertEqual(read[new.id]["team_id"][0], self.team_south.id)
        self.assertEqual(read[new.id]["lead_score"], 25)
        self.assertEqual(
            sorted(read[new.id]["score_explanation"]),
            [("Có email", 10), ("Khách Việt Nam", 15)],
        )

        lc.qualify(client, new.id, budget_amount=50_000_000)
        self.env.invalidate_all()
        self.assertTrue(new.is_qualified)
        self.assertEqual(new.bant_score, 4)
        customer_id = lc.convert(client, new.id)
        self.env.invalidate_all()
        self.assertEqual(new.type, "opportunity")
        self.assertTrue(customer_id)
        self.assertEqual(new.partner_id.id, customer_id)
        self.assertEqual(
            new.partner_id.commercial_partner_id.name, "Công ty TNHH Ánh Dương"
        )

    def test_client_reports_odoo_errors(self):
        lc = self.client_module
        client = self._client()
        with self.assertRaisesRegex(lc.OdooError, "Only qualified leads") as caught:
            lc.convert(client, self.env["crm.lead"].create({"name": "Chưa đạt"}).id)
        self.assertIn("Chưa đạt", str(caught.exception))
        with self.assertRaisesRegex(lc.OdooError, "login refused"):
            lc.OdooClient(self.base_url(), self.env.cr.dbname, "lc_integration", "x")

    def test_example_script_runs(self):
        """The script's own scenario, as a user would run it."""
        lc = self.client_module
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            lc.main(
                [
                    "--url",
                    self.base_url(),
                    "--db",
                    self.env.cr.dbname,
                    "--login",
                    "lc_integration",
                    "--password",
                    "lc-integration-2026",
                ]
            )
        self.assertIn(
            "territory Việt Nam / TP. Hồ Chí Minh, team Miền Nam", output.getvalue()
        )
        self.env.invalidate_all()
        converted = self.env["crm.lead"].search(
            [("email_from", "=", "an.nguyen@anhduong.example.vn")]
        )
        self.assertEqual(converted.type, "opportunity")
        self.assertEqual(converted.territory_id, self.territory_sg)
        other = self.env["crm.lead"].search(
            [("email_from", "=", "binh.tran@binhminh.example.vn")]
        )
        self.assertEqual(other.territory_id, self.territory_hn)
        self.assertEqual(other.team_id, self.team_north)
