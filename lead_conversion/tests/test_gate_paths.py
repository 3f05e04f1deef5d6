import json

from odoo import SUPERUSER_ID
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged, users

from .common import LeadConversionCommon

#: BANT 0/4: no criterion met
UNQUALIFIED = {
    "bant_budget": "unknown",
    "bant_authority": "unknown",
    "bant_need": "unknown",
    "bant_timeline": "unknown",
}
OVERRIDE = "Qualification overridden by"


class GateCommon(LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unqualified = cls._lead(name="Khách chưa rõ", **UNQUALIFIED)
        cls.qualified = cls._lead(
            name="Khách đã rõ", email_from="da.ro@anhduong.vn", phone=False
        )

    def _overrides(self, lead):
        """The override logs in the lead's chatter."""
        return lead.message_ids.filtered(lambda message: OVERRIDE in message.body)

    def assertRefused(self, message, lead):
        self.assertIn("Only qualified leads can be converted", message)
        self.assertIn(f"{lead.name}: BANT score 0/4, 3 needed", message)
        self.assertIn("budget not confirmed", message)
        lead.invalidate_recordset()
        self.assertEqual(lead.type, "lead")
        self.assertFalse(lead.date_conversion)

    def assertOverrideLogged(self, lead, user):
        overrides = self._overrides(lead)
        self.assertEqual(len(overrides), 1, "one override log per lead")
        self.assertIn(
            f"{OVERRIDE} {user.name}: {lead.name}: BANT score 0/4", (overrides.body)
        )
        self.assertEqual(lead.type, "opportunity")


@tagged("post_install", "-at_install")
class TestGatePaths(GateCommon):
    """Every path by which a lead becomes an opportunity meets the company's
    qualification gate: refused for a salesperson, logged as an override for
    a Sales Administrator, kept as a lead by automated flows."""

    # ---- a salesperson: refused with the dialog's message, nothing written

    @users("lm_salesman")
    def test_salesperson_write_type_refused(self):
        lead = self.unqualified.with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.write({"type": "opportunity", "description": "Gọi lại"})
        self.assertRefused(str(error.exception), lead)
        self.assertFalse(lead.description)
        # the dialog refuses with the same message
        with self.assertRaises(UserError) as dialog_error:
            self._wizard(lead).action_apply()
        self.assertEqual(str(dialog_error.exception), str(error.exception))

    @users("lm_salesman")
    def test_salesperson_convert_opportunity_refused(self):
        lead = self.unqualified.with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.convert_opportunity(self.env["res.partner"])
        self.assertRefused(str(error.exception), lead)
        # a batch with a qualified lead converts nothing either
        leads = lead | self.qualified.with_env(self.env)
        with self.assertRaises(UserError):
            leads.convert_opportunity(False)
        self.assertEqual(set(leads.mapped("type")), {"lead"})

    @users("lm_salesman")
    def test_salesperson_write_qualifying_and_converting(self):
        """A write (an import row) qualifying the lead and converting it: the
        qualification it writes counts."""
        lead = self.unqualified.with_env(self.env)
        lead.write({"type": "opportunity", **self._qualification()})
        self.assertEqual(lead.type, "opportunity")
        self.assertTrue(lead.is_qualified)
        self.assertFalse(self._overrides(lead))

    @users("lm_salesman")
    def test_salesperson_import_row_refused(self):
        lead = self.unqualified.with_env(self.env)
        qualified = self.qualified.with_env(self.env)
        result = lead.load(
            [".id", "type", "name"],
            [
                [str(lead.id), "Opportunity", "Tên đổi khi nhập"],
                [str(qualified.id), "Opportunity", "Khách đã rõ (nhập)"],
            ],
        )
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertEqual(len(errors), 1, result["messages"])
        self.assertEqual(errors[0]["record"], 0, "the first row is the error")
        self.assertRefused(errors[0]["message"], lead)
        self.assertEqual(lead.name, "Khách chưa rõ", "nothing of the row imported")
        # an import with an error row returns no ids (base_import then rolls
        # back its other rows)
        self.assertFalse(result["ids"])

    def test_salesperson_import_screen_imports_nothing(self):
        """The web client's import screen (base_import) updating the Type
        column: the refused row is reported, no row is imported."""
        for lead, name in (
            (self.unqualified, "gate_chua_ro"),
            (self.qualified, "gate_da_ro"),
        ):
            self.env["ir.model.data"].create(
                {
                    "module": "__export__",
                    "name": name,
                    "model": "crm.lead",
                    "res_id": lead.id,
                }
            )
        content = (
            "id,type,name\n"
            "__export__.gate_chua_ro,Opportunity,Tên đổi khi nhập\n"
            "__export__.gate_da_ro,Opportunity,Khách đã rõ (nhập)\n"
        ).encode()
        wizard = (
            self.env["base_import.import"]
            .with_user(self.user_salesman)
            .create({"res_model": "crm.lead", "file": content, "file_type": "text/csv"})
        )
        options = {"has_headers": True, "quoting": '"', "separator": ","}
        result = wizard.execute_import(
            ["id", "type", "name"], ["id", "type", "name"], options
        )
        errors = [m for m in result["messages"] if m["type"] == "error"]
        self.assertEqual(len(errors), 1, result["messages"])
        self.assertRefused(errors[0]["message"], self.unqualified)
        self.assertFalse(result["ids"])
        self.env.invalidate_all()
        self.assertEqual(self.unqualified.name, "Khách chưa rõ")
        self.assertEqual(self.qualified.name, "Khách đã rõ")
        self.assertEqual(self.qualified.type, "lead")

    @users("lm_salesman")
    def test_pipeline_merge_and_reconversion_allowed(self):
        """Creating an opportunity directly (crm's pipeline), merging a lead
        into an existing opportunity and converting an opportunity again stay
        allowed."""
        Lead = self.env["crm.lead"]
        opportunity = Lead.with_context(default_type="opportunity").create(
            {"name": "Cơ hội trực tiếp", "user_id": self.env.uid, **UNQUALIFIED}
        )
        self.assertEqual(opportunity.type, "opportunity")
        opportunity.convert_opportunity(False)
        opportunity.write({"type": "opportunity"})
        lead = self.unqualified.with_env(self.env)
        merged = (opportunity | lead)._merge_opportunity(auto_unlink=True)
        self.assertEqual(merged, opportunity)
        self.assertEqual(merged.type, "opportunity")
        self.assertFalse(lead.exists())

    # ---- a Sales Administrator: converted, the override logged once

    @users("lm_manager")
    def test_manager_write_type_logged(self):
        lead = self.unqualified.with_env(self.env)
        lead.write({"type": "opportunity"})
        self.assertOverrideLogged(lead, self.user_manager)
        qualified = self.qualified.with_env(self.env)
        qualified.type = "opportunity"
        self.assertFalse(self._overrides(qualified), "a qualified lead: no override")

    @users("lm_manager")
    def test_manager_convert_opportunity_logged_once(self):
        lead = self.unqualified.with_env(self.env)
        lead.convert_opportunity(self.env["res.partner"], user_ids=self.env.user.ids)
        self.assertOverrideLogged(lead, self.user_manager)
        self.assertEqual(lead.user_id, self.user_manager)
        self.assertTrue(lead.date_conversion)

    @users("lm_manager")
    def test_manager_import_logged(self):
        lead = self.unqualified.with_env(self.env)
        result = lead.load([".id", "type"], [[str(lead.id), "Opportunity"]])
        self.assertFalse(result["messages"])
        self.assertEqual(result["ids"], lead.ids)
        self.assertOverrideLogged(lead, self.user_manager)

    @users("lm_manager")
    def test_manager_dialog_logs_once_with_the_same_text(self):
        lead = self.unqualified.with_env(self.env)
        self._wizard(lead, override_qualification=True).action_apply()
        self.assertOverrideLogged(lead, self.user_manager)
        other = self._lead(
            name="Khách khác", email_from="khac@vn.vn", **UNQUALIFIED
        ).with_env(self.env)
        other.write({"type": "opportunity"})
        texts = [
            self._overrides(record)
            .body.split(OVERRIDE)[1]
            .split("</p>")[0]
            .replace(record.name, "")
            for record in (lead, other)
        ]
        self.assertEqual(texts[0], texts[1])

    # ---- automated flows: assigned, kept as leads

    def test_sudo_write_keeps_the_lead(self):
        """Server code writing the type of an unqualified lead: it stays a
        lead, never silently: one line in its chatter and a warning in the
        server log per lead and write."""
        lead = self.unqualified.with_user(self.user_salesman).sudo()
        qualified = self.qualified.with_user(self.user_salesman).sudo()
        messages = self.env["mail.message"].sudo()
        before = messages.search([("model", "=", "crm.lead")]).ids
        with self.assertLogs(
            "odoo.addons.lead_conversion.models.crm_lead", "WARNING"
        ) as logs:
            (lead | qualified).write({"type": "opportunity", "priority": "2"})
        self.assertEqual(lead.type, "lead")
        self.assertEqual(lead.priority, "2", "the rest of the write is kept")
        self.assertEqual(qualified.type, "opportunity")
        self.assertFalse(self._overrides(lead))
        logged = messages.search(
            [("model", "=", "crm.lead"), ("id", "not in", before)]
        ).filtered(lambda message: "Kept as a lead" in message.body)
        self.assertEqual(logged.mapped("res_id"), [lead.id], "one line, its lead")
        self.assertIn("Kept as a lead: BANT 0/4, 3 needed.", logged.body)
        self.assertEqual(len(logs.output), 1)
        self.assertIn(f"{lead.id} (0/4)", logs.output[0])
        # a second write logs again, once
        lead.write({"type": "opportunity"})
        self.assertEqual(
            len(lead.message_ids.filtered(lambda m: "Kept as a lead" in m.body)), 2
        )

    def test_sudo_convert_opportunity_assigns_and_keeps_the_lead(self):
        lead = self.unqualified.with_user(self.user_manager).sudo()
        lead.user_id = False
        lead.convert_opportunity(False, user_ids=self.user_salesman_other.ids)
        self.assertEqual(lead.user_id, self.user_salesman_other)
        self.assertEqual(lead.type, "lead")
        self.assertFalse(lead.date_conversion)
        self.assertFalse(lead.converted_by_id)
        self.assertFalse(self._overrides(lead), "not an override: nothing logged")

    def _assignment_team(self, **values):
        team = self.env["crm.team"].create(
            {
                "name": "Phân công",
                "assignment_domain": "[('email_from', 'ilike', '@phancong.vn')]",
                **values,
            }
        )
        self.env["crm.team.member"].create(
            {
                "crm_team_id": team.id,
                "user_id": self.user_salesman.id,
                "assignment_max": 300,
            }
        )
        return team

    def _assignment_leads(self, team):
        """An unqualified and a qualified lead waiting for the team's
        assignment (no address: no territory gives them a team)."""
        common = {
            "user_id": False,
            "team_id": team.id,
            "phone": False,
            "street": False,
            "city": False,
            "country_id": False,
        }
        return (
            self._lead(
                name="Phân công chưa rõ",
                email_from="a@phancong.vn",
                **common,
                **UNQUALIFIED,
            ),
            self._lead(name="Phân công đã rõ", email_from="b@phancong.vn", **common),
        )

    def test_cron_assignment_keeps_unqualified_leads(self):
        """crm's assignment as its cron runs it (the superuser): the
        unqualified lead is assigned and stays a lead."""
        team = self._assignment_team()
        unqualified, qualified = self._assignment_leads(team)
        self.assertEqual(self.env.uid, SUPERUSER_ID)
        team._action_assign_leads(force_quota=True)
        self.assertEqual(unqualified.user_id, self.user_salesman)
        self.assertEqual(unqualified.type, "lead")
        self.assertFalse(unqualified.date_conversion)
        self.assertFalse(self._overrides(unqualified))
        self.assertEqual(qualified.user_id, self.user_salesman)
        self.assertEqual(qualified.type, "opportunity")

    def test_cron_assignment_by_score_keeps_unqualified_leads(self):
        """lead_scoring's assignment (a team with a minimum score) as the cron
        runs it: assigned, kept as a lead, listed in the digest."""
        if "min_score" not in self.env["crm.team"]._fields:
            self.skipTest("lead_scoring is not installed")
        self.env["crm.lead.scoring.rule"].create(
            {
                "name": "Email phân công",
                "points": 10,
                "domain": "[('email_from', 'ilike', '@phancong.vn')]",
            }
        )
        self.env["ir.config_parameter"].set_param(
            "lead_scoring.assignment_notify", "True"
        )
        team = self._assignment_team(min_score=5)
        unqualified, qualified = self._assignment_leads(team)
        (unqualified | qualified).write({"team_id": False})
        (unqualified | qualified)._scoring_rescore_leads()
        self.assertGreaterEqual(unqualified.lead_score, 10)
        self.assertFalse(unqualified.team_id)
        messages_before = self.env["mail.message"].search([])
        team._action_assign_leads(force_quota=True)
        self.assertEqual(unqualified.team_id, team)
        self.assertEqual(unqualified.user_id, self.user_salesman)
        self.assertEqual(unqualified.type, "lead")
        self.assertEqual(qualified.type, "opportunity")
        digest = self.env["mail.message"].search(
            [
                ("id", "not in", messages_before.ids),
                ("subject", "ilike", "New leads assigned"),
            ]
        )
        self.assertEqual(len(digest), 1)
        self.assertIn("Phân công chưa rõ", digest.body)
        self.assertIn("Phân công đã rõ", digest.body)

    def test_manager_assignment_logged(self):
        """A Sales Administrator's "Assign Leads" converts with the override
        logged, as the manager's other paths."""
        team = self._assignment_team()
        unqualified, __ = self._assignment_leads(team)
        team.with_user(self.user_manager)._action_assign_leads(force_quota=True)
        self.assertEqual(unqualified.user_id, self.user_salesman)
        self.assertOverrideLogged(unqualified, self.user_manager)

    def test_manager_assignment_keeping_leads_logs_no_override(self):
        """A team of lead_scoring keeping assigned leads as leads: its
        manager's "Assign Leads" converts nothing, so logs no override."""
        if "assignment_convert" not in self.env["crm.team"]._fields:
            self.skipTest("lead_scoring is not installed")
        team = self._assignment_team(assignment_convert=False)
        unqualified, qualified = self._assignment_leads(team)
        team.with_user(self.user_manager)._action_assign_leads(force_quota=True)
        for lead in unqualified | qualified:
            self.assertEqual(lead.user_id, self.user_salesman)
            self.assertEqual(lead.type, "lead")
            self.assertFalse(lead.date_conversion)
        self.assertFalse(self._overrides(unqualified))

    # ---- incoming leads are leads while crm's Leads setting is on

    def test_incoming_leads_are_leads(self):
        public = self.env.ref("base.public_user")
        self.assertFalse(public.has_group("crm.group_use_lead"))
        Lead = self.env["crm.lead"]
        self.assertEqual(Lead.with_user(public).default_get(["type"])["type"], "lead")
        self.assertEqual(Lead.default_get(["type"])["type"], "lead")
        lead_id = Lead.message_new(
            {
                "subject": "Hỏi giá",
                "email_from": "khach@email.vn",
                "body": "<p>Xin báo giá</p>",
            },
            custom_values={"type": "opportunity", "team_id": self.team_north.id},
        ).id
        self.assertEqual(Lead.browse(lead_id).type, "lead")

    @staticmethod
    def _qualification():
        return {
            "bant_budget": "yes",
            "bant_authority": "decision_maker",
            "bant_need": "identified",
        }


@tagged("post_install", "-at_install")
class TestGateJsonRpc(GateCommon, HttpCase):
    """The gate as a client meets it over JSON-RPC on the test server."""

    def _call_kw(self, model, method, args, kwargs=None):
        """{'result': ...} or {'error': message} of /web/dataset/call_kw."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        data = response.json()
        if "error" in data:
            return {"error": data["error"]["data"]["message"]}
        return data

    def test_salesperson_refused_everywhere_created_as_lead(self):
        self.authenticate("lm_salesman", "lm_salesman")
        lead = self.unqualified
        write = self._call_kw("crm.lead", "write", [lead.ids, {"type": "opportunity"}])
        self.assertRefused(write["error"], lead)
        convert = self._call_kw("crm.lead", "convert_opportunity", [lead.ids, False])
        self.assertRefused(convert["error"], lead)
        imported = self._call_kw(
            "crm.lead", "load", [[".id", "type"], [[str(lead.id), "Opportunity"]]]
        )["result"]
        self.assertRefused(imported["messages"][0]["message"], lead)
        created = self._call_kw(
            "crm.lead", "create", [{"name": "Từ API", "email_from": "api@vn.vn"}]
        )["result"]
        self.assertEqual(self.env["crm.lead"].browse(created).type, "lead")

    def test_manager_override_logged(self):
        self.authenticate("lm_manager", "lm_manager")
        lead = self.unqualified
        result = self._call_kw("crm.lead", "write", [lead.ids, {"type": "opportunity"}])
        self.assertIs(result["result"], True)
        self.env.invalidate_all()
        self.assertOverrideLogged(lead, self.user_manager)
