#!/usr/bin/env python3
"""Example integration: an external system sending leads to Odoo over JSON-RPC.

Python's standard library only (urllib, json). Run against a database with the
three addons installed:

    python3 examples/lead_client.py --url http://localhost:8069 \
        --db lead_crm --login admin --password admin

It creates two leads (one with a Hồ Chí Minh City address, one in Hà Nội),
reads what Odoo computed for them (territory, sales team, status, returning
flag, score and the scoring rules behind it), records the BANT qualification
of the first and converts it into an opportunity with its customer, through
crm's own conversion wizard as the "Convert to Opportunity" button does.
Use an API key instead of the password for an integration user
(Preferences > Account Security > New API Key).
"""

import argparse
import itertools
import json
import urllib.request

_ids = itertools.count(1)


class OdooError(Exception):
    """An error returned by Odoo (access rights, validation, ...)."""


class OdooClient:
    """The smallest JSON-RPC client of Odoo's external API (/jsonrpc)."""

    def __init__(self, url, db, login, password, timeout=60):
        self.url = url.rstrip("/") + "/jsonrpc"
        self.db = db
        self.password = password
        self.timeout = timeout
        self.uid = self._call("common", "login", db, login, password)
        if not self.uid:
            raise OdooError(f"login refused for {login!r} on database {db!r}")

    def _call(self, service, method, *args):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": next(_ids),
        }
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            reply = json.load(response)
        if reply.get("error"):
            error = reply["error"]
            message = error.get("data", {}).get("message") or error.get("message")
            raise OdooError(message)
        return reply["result"]

    def execute(self, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` as the logged-in user."""
        return self._call(
            "object",
            "execute_kw",
            self.db,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )

    def find_id(self, model, domain):
        """Id of the first record of ``model`` matching ``domain``."""
        found = self.execute(model, "search", domain, limit=1)
        if not found:
            raise OdooError(f"no {model} matches {domain}")
        return found[0]


LEAD_FIELDS = [
    "name",
    "territory_id",
    "regional_manager_id",
    "team_id",
    "team_leader_id",
    "user_id",
    "lead_status_id",
    "bant_score",
    "is_qualified",
    "is_returning",
    "lead_score",
    "score_rule_ids",
]


def create_leads(client, leads):
    """Create leads from plain values; address fields are given as ids."""
    return client.execute("crm.lead", "create", leads)


def read_leads(client, lead_ids):
    """What Odoo computed for the leads, with the scoring rules behind each
    score (name and points) under ``score_explanation``."""
    leads = client.execute("crm.lead", "read", lead_ids, fields=LEAD_FIELDS)
    rule_ids = sorted({rule for lead in leads for rule in lead["score_rule_ids"]})
    rules = {
        rule["id"]: rule
        for rule in client.execute(
            "crm.lead.scoring.rule",
            "read",
            rule_ids,
            fields=["name", "points"],
            context={"active_test": False},
        )
    }
    for lead in leads:
        lead["score_explanation"] = [
            (rules[rule]["name"], rules[rule]["points"])
            for rule in lead["score_rule_ids"]
        ]
    return leads


def qualify(client, lead_id, budget_amount=0.0):
    """Record the lead's BANT answers: budget confirmed, decision maker
    reached, need identified, decision within a quarter."""
    client.execute(
        "crm.lead",
        "write",
        [lead_id],
        {
            "bant_budget": "yes",
            "bant_budget_amount": budget_amount,
            "bant_authority": "decision_maker",
            "bant_need": "identified",
            "bant_timeline": "quarter",
        },
    )


def convert(client, lead_id):
    """Convert the lead into an opportunity with its customer, through crm's
    conversion wizard opened on the lead (what the lead's button does).
    Returns the customer's id."""
    context = {
        "active_model": "crm.lead",
        "active_id": lead_id,
        "active_ids": [lead_id],
    }
    wizard_id = client.execute(
        "crm.lead2opportunity.partner",
        "create",
        {"name": "convert", "lead_id": lead_id},
        context=context,
    )
    client.execute(
        "crm.lead2opportunity.partner", "action_apply", [wizard_id], context=context
    )
    lead = client.execute("crm.lead", "read", [lead_id], fields=["type", "partner_id"])
    return lead[0]["partner_id"] and lead[0]["partner_id"][0]


def name_of(many2one):
    """The display name in a many2one value read over RPC ([id, name] or
    False)."""
    return many2one[1] if many2one else "-"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="lead_crm")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args(argv)

    client = OdooClient(args.url, args.db, args.login, args.password)
    vietnam = client.find_id("res.country", [("code", "=", "VN")])

    def province(code):
        return client.find_id(
            "res.country.state", [("country_id", "=", vietnam), ("code", "=", code)]
        )

    lead_ids = create_leads(
        client,
        [
            {
                "name": "Phần mềm kế toán - Công ty Ánh Dương",
                "partner_name": "Công ty TNHH Ánh Dương",
                "contact_name": "Nguyễn Văn An",
                "email_from": "an.nguyen@anhduong.example.vn",
                "phone": "0283 812 3456",
                "street": "12 Lê Lợi",
                "city": "Hồ Chí Minh",
                "zip": "700000",
                "state_id": province("VN-SG"),
                "country_id": vietnam,
            },
            {
                "name": "Hệ thống bán lẻ - Cửa hàng Bình Minh",
                "contact_name": "Trần Thị Bình",
                "email_from": "binh.tran@binhminh.example.vn",
                "city": "Hà Nội",
                "state_id": province("VN-HN"),
                "country_id": vietnam,
            },
        ],
    )
    for lead in read_leads(client, lead_ids):
        print(
            f"{lead['name']}: territory {name_of(lead['territory_id'])},"
            f" team {name_of(lead['team_id'])},"
            f" status {name_of(lead['lead_status_id'])},"
            f" {'returning' if lead['is_returning'] else 'new'},"
            f" score {lead['lead_score']} {lead['score_explanation']}"
        )
    qualify(client, lead_ids[0], budget_amount=50_000_000)
    customer_id = convert(client, lead_ids[0])
    print(f"lead {lead_ids[0]} converted, customer {customer_id}")


if __name__ == "__main__":
    main()
