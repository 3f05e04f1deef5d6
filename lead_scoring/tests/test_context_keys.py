import json

from odoo.tests import HttpCase, tagged

from .common import LeadScoringCommon

#: every context key lead_scoring's code reads, with values a client could
#: send (JSON only): none changes a score (README, "Integrating")
CLIENT_CONTEXTS = [
    {"lead_scoring_batch": True},
    {"lead_scoring_batch": {"open": True, "lead_ids": []}},
    {"lead_scoring_batch": "deferred"},
    {"lead_score_row_alias": "crm_lead"},
    {"lead_score_row_alias": "s"},
    # the key that deferred the scoring before the batch object
    {"lead_scoring_no_recompute": True},
    # defaults of the computed score fields
    {"default_lead_score": 99, "default_score_rule_ids": [1], "default_score_date": 1},
]


@tagged("post_install", "-at_install")
class TestClientContextKeys(LeadScoringCommon, HttpCase):
    """A salesperson's JSON-RPC calls with each context key our code reads:
    the scores are the exact sums of the rules matched, whatever the key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_hot = cls._create_rule("Hot", 6, [("priority", "=", "3")])
        cls.rule_vn = cls._create_rule("Vietnam", 4, [("country_id.code", "=", "VN")])

    def _call(self, model, method, args, kwargs=None, context=None):
        kwargs = dict(kwargs or {})
        kwargs["context"] = dict(
            kwargs.get("context") or {}, **(context or {}), tracking_disable=True
        )
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
                        "kwargs": kwargs,
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        ).json()
        self.assertNotIn("error", response, response.get("error"))
        return response["result"]

    def _score(self, lead_id):
        [row] = self._call(
            "crm.lead", "read", [[lead_id], ["lead_score", "score_rule_ids"]]
        )
        return row["lead_score"], sorted(row["score_rule_ids"])

    def test_keys_change_no_score(self):
        self.authenticate("scoring_salesman", "scoring_salesman")
        hot_vn = sorted((self.rule_hot | self.rule_vn).ids)
        for context in CLIENT_CONTEXTS:
            with self.subTest(context=context):
                lead_id = self._call(
                    "crm.lead",
                    "create",
                    [{"name": "RPC lead", "country_id": self.country_vn.id}],
                    context=context,
                )
                self.assertEqual(self._score(lead_id), (4, [self.rule_vn.id]))
                self._call(
                    "crm.lead",
                    "write",
                    [[lead_id], {"priority": "3"}],
                    context=context,
                )
                self.assertEqual(self._score(lead_id), (10, hot_vn))
                found = self._call(
                    "crm.lead",
                    "search",
                    [[("id", "=", lead_id), ("lead_score", ">=", 10)]],
                    context=context,
                )
                self.assertEqual(found, [lead_id])
                # a rule's change rescores its leads whatever the key
                self._call(
                    "crm.lead",
                    "write",
                    [[lead_id], {"priority": "0"}],
                    context=context,
                )
                self.assertEqual(self._score(lead_id), (4, [self.rule_vn.id]))

    def test_rule_change_rescores_whatever_the_key(self):
        lead = self._create_lead("Hot lead", priority="3")
        self.env.flush_all()
        self.authenticate("scoring_manager", "scoring_manager")
        for points, context in enumerate(CLIENT_CONTEXTS, start=20):
            with self.subTest(context=context):
                self._call(
                    "crm.lead.scoring.rule",
                    "write",
                    [[self.rule_hot.id], {"points": points}],
                    context=context,
                )
                self.assertEqual(self._score(lead.id), (points, [self.rule_hot.id]))
