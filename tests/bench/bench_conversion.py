"""Benchmark of lead_conversion: crm's mass conversion wizard with this addon's
options (create the company and the contact, qualification gate on) against the
same wizard as crm runs it (the addon's options off: crm's default customer
choice, gate off), and query counts.

Called by ``tests/bench/run.py`` as ``run(env, report)``; alone with:

    python tests/bench/run.py --config .run/test/odoo.conf --database DB \
        --only conversion

Everything it creates is rolled back at the end.
"""

import time

LEADS = 1000
TIME_BOUND = 1.2  # our options vs crm's behaviour, same leads, same run
# extra queries per extra lead (1 vs 20 leads): at most crm's behaviour's,
# measured on the same kind of leads in the same database (both pay what other
# addons add to each lead's write)


# the timed runs alternate (ABBA BAAB) so that a busy machine or growing tables
# weigh on both converters alike
_ORDER = ("crm", "ours", "ours", "crm", "ours", "crm", "crm", "ours")
_BATCHES = [
    *("warmcrm", "warmours"),
    *(f"{name}{index}" for index, name in enumerate(_ORDER)),
    *("warmqours", "q1", "q20", "warmqcrm", "crmq1", "crmq20"),
]


def _leads(env, count, tag):
    """Fresh qualified leads with a company name, a contact and an email; the
    same shape for every converter."""
    return (
        env["crm.lead"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"Bench {tag} {index}",
                    "type": "lead",
                    "partner_name": f"Công ty {tag} số {index}",
                    "contact_name": f"Người liên hệ {tag} {index}",
                    "email_from": f"lienhe{index}@{tag}.bench.vn",
                    "phone": f"09{_BATCHES.index(tag):02d}{index:06d}",
                    "street": f"{index} Lê Lợi",
                    "city": "Hà Nội",
                    "country_id": env.ref("base.vn").id,
                    "bant_budget": "yes",
                    "bant_authority": "decision_maker",
                    "bant_need": "identified",
                }
                for index in range(count)
            ]
        )
        .with_context(tracking_disable=False)
    )


def _mass_convert(env, leads, values, gate):
    """crm's mass conversion wizard, as the leads list's action opens it."""
    if env.company.conversion_requires_qualification != gate:
        env.company.conversion_requires_qualification = gate
    wizard = (
        env["crm.lead2opportunity.partner.mass"]
        .with_context(
            active_model="crm.lead", active_ids=leads.ids, active_id=leads.ids[0]
        )
        .create({"name": "convert", "deduplicate": False, **values})
    )
    wizard.action_mass_convert()
    env.flush_all()


def _convert_ours(env, leads):
    """The addon's options: create the company and the contact, gate on."""
    _mass_convert(
        env,
        leads,
        {"action": "create", "create_company": True, "create_contact": True},
        gate=True,
    )


def _convert_crm(env, leads):
    """crm's behaviour of the same wizard: its default customer choice (each
    lead's existing customer, else created from the lead), gate off."""
    _mass_convert(env, leads, {"action": "each_exist_or_create"}, gate=False)


def _timed(env, convert, leads):
    env.flush_all()
    env.invalidate_all()
    start = time.perf_counter()
    convert(env, leads)
    return time.perf_counter() - start


def _queries(env, convert, leads):
    env.flush_all()
    env.invalidate_all()
    start = env.cr.sql_log_count
    convert(env, leads)
    return env.cr.sql_log_count - start


def measure(env, count=LEADS):
    """Run the measures; return a list of (name, value, unit, bound, ok)."""
    env = env(user=env.ref("base.user_admin").id)
    env.company.country_id = env.company.country_id or env.ref("base.vn")
    # warm the caches of both converters on a few leads
    _convert_crm(env, _leads(env, 5, "warmcrm"))
    _convert_ours(env, _leads(env, 5, "warmours"))
    times = {"crm": 0.0, "ours": 0.0}
    converters = {"crm": _convert_crm, "ours": _convert_ours}
    size = count // (len(_ORDER) // 2)
    for index, name in enumerate(_ORDER):
        leads = _leads(env, size, f"{name}{index}")
        times[name] += _timed(env, converters[name], leads)
    crm_time, our_time = times["crm"], times["ours"]
    ratio = our_time / crm_time
    # switching the gate writes on the company: warm again before counting
    _convert_ours(env, _leads(env, 1, "warmqours"))
    queries_1 = _queries(env, _convert_ours, _leads(env, 1, "q1"))
    queries_20 = _queries(env, _convert_ours, _leads(env, 20, "q20"))
    per_lead = (queries_20 - queries_1) / 19
    _convert_crm(env, _leads(env, 1, "warmqcrm"))
    crm_1 = _queries(env, _convert_crm, _leads(env, 1, "crmq1"))
    crm_20 = _queries(env, _convert_crm, _leads(env, 20, "crmq20"))
    crm_per_lead = (crm_20 - crm_1) / 19
    return [
        (
            f"conversion: crm's mass convert of {count} leads (crm's behaviour)",
            round(crm_time, 2),
            "s",
            None,
            True,
        ),
        (
            f"conversion: the same with lead_conversion's options, {count} leads "
            "(company + contact + opportunity, gate on)",
            round(our_time, 2),
            "s",
            None,
            True,
        ),
        (
            "conversion: time vs crm's behaviour",
            round(ratio, 2),
            "x",
            TIME_BOUND,
            ratio <= TIME_BOUND,
        ),
        ("conversion: queries converting 1 lead", queries_1, "queries", None, True),
        ("conversion: queries converting 20 leads", queries_20, "queries", None, True),
        (
            "conversion: crm's extra queries per extra lead (1 vs 20 leads)",
            round(crm_per_lead, 1),
            "queries/lead",
            None,
            True,
        ),
        (
            "conversion: extra queries per extra lead (1 vs 20 leads)",
            round(per_lead, 1),
            "queries/lead",
            round(crm_per_lead, 1),
            per_lead <= crm_per_lead,
        ),
    ]


def run(env, count=LEADS):
    """Entry point of tests/bench/run.py: the figures measured, as a list of
    (name, value, unit, bound, ok); what the benchmark created is rolled back."""
    env.cr.execute("SAVEPOINT bench_conversion")
    try:
        results = measure(env, count=count)
    finally:
        env.invalidate_all(flush=False)
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_conversion")
        env.registry.clear_cache()
    return results
