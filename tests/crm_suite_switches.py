"""Turn off the behaviours of our addons that deliberately change crm.

crm's own test suite checks what crm promises; a few of our features change
those promises on purpose, each behind a documented switch (README, "crm's own
test suite"). `make test` runs this script on a database before running crm's
suite there, so that crm's tests see crm's behaviour everywhere else:

    python odoo-bin shell -c odoo.conf -d DB --no-http < tests/crm_suite_switches.py

Every switch is written only when its addon is installed and defines it, so
the script runs on any database with any of the three addons. What it changed
is committed.
"""


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

    # lead_conversion: only qualified leads convert (company setting).
    companies = env["res.company"].with_context(active_test=False).search([])
    if "conversion_requires_qualification" in companies._fields:
        companies.write({"conversion_requires_qualification": False})
        done.append(
            "conversion_requires_qualification off on %d companies" % len(companies)
        )

    # lead_scoring: each salesperson is notified of the leads crm's
    # assignment gave them.
    env["ir.config_parameter"].sudo().set_param(
        "lead_scoring.assignment_notify", "False"
    )
    done.append("lead_scoring.assignment_notify = False")

    env.cr.commit()  # pylint: disable=invalid-commit
    print("crm suite switches on %s: %s" % (env.cr.dbname, "; ".join(done)))


switch_off(env)  # noqa: F821 - `env` is given by `odoo-bin shell`
