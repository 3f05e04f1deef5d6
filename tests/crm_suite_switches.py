"""Turn off the behaviours of our addons that deliberately change crm.

crm's own test suite checks what crm promises; a few of our features change
those promises on purpose, each behind a documented switch (README, "crm's own
test suite"). `make test` runs this script on a database before running crm's
suite there, so that crm's tests see crm's behaviour everywhere else:

    python odoo-bin shell -c odoo.conf -d DB --no-http < tests/crm_suite_switches.py

Every switch is written only when its addon is installed and defines it, so
the script runs on any database with any of the three addons. What it changed
is committed.

A switch named in the environment variable ``CRM_SUITE_KEEP`` (names separated
by commas) is left as it is, to see which of crm's tests it changes:

    CRM_SUITE_KEEP=conversion_requires_qualification bash tests/workspace.sh crm-suite
"""

import os

KEEP = set(filter(None, os.environ.get("CRM_SUITE_KEEP", "").split(",")))


def switch_off(env):
    done = []

    # lead_management: crm's "Leads" setting (Settings > CRM > Leads), which
    # lead_management turns on for every internal user. Turned off as the
    # Settings page does.
    group_use_lead = env.ref("crm.group_use_lead")
    env["res.config.settings"].create({"group_use_lead": False}).execute()
    if group_use_lead in env.ref("base.group_user").implied_ids:
        raise RuntimeError("crm's Leads setting is still on for internal users")
    done.append("crm's Leads setting (crm.group_use_lead) off")

    # lead_conversion: only qualified leads become opportunities (company
    # setting), on every path; off for the companies crm's tests create too
    companies = env["res.company"].with_context(active_test=False).search([])
    field = "conversion_requires_qualification"
    if field in companies._fields and field in KEEP:
        done.append(f"{field} kept as it is")
    elif field in companies._fields:
        companies.write({field: False})
        env["ir.default"].set("res.company", field, False)
        done.append(f"{field} off on {len(companies)} companies and for new ones")

    # lead_scoring: each salesperson is notified of the leads crm's
    # assignment gave them.
    env["ir.config_parameter"].sudo().set_param(
        "lead_scoring.assignment_notify", "False"
    )
    done.append("lead_scoring.assignment_notify = False")

    env.cr.commit()  # pylint: disable=invalid-commit
    print("crm suite switches on %s: %s" % (env.cr.dbname, "; ".join(done)))


switch_off(env)  # noqa: F821 - `env` is given by `odoo-bin shell`
