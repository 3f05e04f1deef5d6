import json

from odoo.tests import HttpCase, tagged

from .common import LeadConversionCommon

#: context keys lead_management and lead_conversion read, with values a
#: client could send (JSON only): none changes what the server computes or
#: refuses (README, "Integrating")
CLIENT_CONTEXTS = [
    {"lead_conversion_gate": True},
    {"lead_conversion_gate": "applied"},
    {"lead_conversion_write": True},
    {"lead_conversion_write": {"__object__": True}},
    # Odoo's uninstall flag: only an uninstall of lead_management skips the
    # statuses' and territories' rules
    {"_force_unlink": True},
    {"module_uninstall": True},
    # defaults of the computed fields
    {
        "default_is_returning": True,
        "default_bant_score": 4,
        "default_is_qualified": True,
        "default_converted_by_id": 1,
    },
]


@tagged("post_install", "-at_install")
class TestClientContextKeys(LeadConversionCommon, HttpCase):
    """JSON-RPC calls of a salesperson and of a Sales Administrator with each
    context key our code reads: the results are those without the key."""

    def _rpc(self, model, method, args, context=None):
        """The JSON-RPC response of ``model.method(*args)`` as the web client
        sends it: (result, the error's message or None)."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": {"context": dict(context or {})},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        error = response.get("error")
        return response.get("result"), error and error["data"]["message"]

    def _call(self, model, method, args, context=None):
        result, error = self._rpc(model, method, args, context=context)
        self.assertIsNone(error)
        return result

    def _error(self, model, method, args, context=None):
        """The message of the error the call answers."""
        __, error = self._rpc(model, method, args, context=context)
        self.assertTrue(error, "the call is refused")
        return error

    def test_salesperson_keys_change_no_computed_value(self):
        self.authenticate("lm_salesman", "lm_salesman")
        fields = ["is_returning", "bant_score", "is_qualified", "converted_by_id"]
        expected_error = self._error(
            "crm.lead",
            "write",
            [[self._lead().id], {"converted_by_id": self.user_salesman.id}],
        )
        self.assertIn("converted_by_id", expected_error)
        for context in CLIENT_CONTEXTS:
            with self.subTest(context=context):
                lead_id = self._call(
                    "crm.lead",
                    "create",
                    [{"name": "RPC lead", "email_from": "moi@khachhang.vn"}],
                    context=context,
                )
                [values] = self._call(
                    "crm.lead", "read", [[lead_id], fields], context=context
                )
                self.assertEqual(
                    {name: values[name] for name in fields},
                    {
                        "is_returning": False,
                        "bant_score": 0,
                        "is_qualified": False,
                        "converted_by_id": False,
                    },
                )
                error = self._error(
                    "crm.lead",
                    "write",
                    [[lead_id], {"converted_by_id": self.user_salesman.id}],
                    context=context,
                )
                self.assertEqual(error, expected_error)

    def test_gate_keys_convert_no_unqualified_lead(self):
        self.authenticate("lm_salesman", "lm_salesman")
        lead = self._lead(bant_budget="unknown", bant_authority="unknown")
        expected_error = self._error(
            "crm.lead", "write", [lead.ids, {"type": "opportunity"}]
        )
        self.assertIn("Only qualified leads can be converted", expected_error)
        for context in CLIENT_CONTEXTS:
            with self.subTest(context=context):
                for method, args in (
                    ("write", [lead.ids, {"type": "opportunity"}]),
                    ("convert_opportunity", [lead.ids, False]),
                ):
                    error = self._error("crm.lead", method, args, context=context)
                    self.assertEqual(error, expected_error, method)
                [values] = self._call("crm.lead", "read", [lead.ids, ["type"]])
                self.assertEqual(values["type"], "lead")

    def test_uninstall_flag_deletes_no_status_rule(self):
        self.authenticate("lm_manager", "lm_manager")
        fallback = self.env["crm.lead.status"]._get_fallback()
        for context in CLIENT_CONTEXTS:
            with self.subTest(context=context):
                error = self._error(
                    "crm.lead.status", "unlink", [fallback.ids], context=context
                )
                self.assertIn(fallback.name, error)
                # a deleted status moves its leads to the fallback
                status = self.env["crm.lead.status"].create({"name": "Tạm thời"})
                lead = self._lead(lead_status_id=status.id)
                self.env.flush_all()
                self._call("crm.lead.status", "unlink", [status.ids], context=context)
                self.env.invalidate_all()
                self.assertFalse(status.exists())
                self.assertEqual(lead.lead_status_id, fallback)

    def test_uninstall_flag_keeps_territories_applied(self):
        self.authenticate("lm_manager", "lm_manager")
        lead = self._lead(zip="100000", state_id=self.state_hn.id)
        self.assertEqual(lead.territory_id, self.territory_hn_center)
        self.env.flush_all()
        self._call(
            "crm.territory",
            "unlink",
            [self.territory_hn_center.ids],
            context={"_force_unlink": True},
        )
        self.env.invalidate_all()
        # matched again: its ZIP's next territory
        self.assertEqual(lead.territory_id, self.territory_hn)
