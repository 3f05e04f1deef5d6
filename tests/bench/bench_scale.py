"""Scoring at 100,000 then 1,000,000 leads, against today's SQL floor.

Run alone (it makes its own data: run it on a database made for the
benchmark, as `make bench` does; it is left out of a plain `make bench`):

    make bench ARGS="--only scale"
    python tests/bench/run.py --config .run/test/odoo.conf --database DB --only scale

What it does, on the scoring benchmark's data (``bench_scoring.Data``, its 20
rules), first with 100,000 leads, then with 900,000 more (1,000,000;
``--leads`` gives the largest size, the smallest is a tenth of it):

- the physical limit: one sequential scan of crm_lead (a count with a
  condition no index serves), to compare the first scoring with;
- in rounds (``ROUNDS``, the best of them kept), the two variants
  alternated, each measure followed by a commit and VACUUM ANALYZE: the first
  scoring (no score anywhere), one rule's points edited, the nightly pass
  with nothing changed. Ours is
  ``crm.lead._scoring_rescore()`` called directly for the first two
  (one statement; a rule save goes through the batched job, measured below)
  and the nightly cron's method for the last (``bench_scoring._nightly``: it
  evaluates only the rules whose matches change without a write), the floor is
  ``bench_scoring._floor``: one statement per rule, then one UPDATE of the
  score column crm_lead had (``bench_floor_score``, indexed);
- the first scoring with the lead priority (A1 ... C3) and without it: the
  same statement with a constant priority instead of its grading by the
  company's thresholds (``_without_priority``), ``PRIORITY_ROUNDS`` times
  each, alternated, each from no score of ours, the best of each kept;
- the peak memory of the process during our first scoring (VmHWM reset
  through /proc/self/clear_refs);
- the leads whose score differs from the floor's after each round;
- at the largest size, a rule's points saved through the ORM with the default
  settings (over ``lead_scoring.sync_rescore_limit`` leads: it queues the
  background rescoring), committed; then the background rescoring run in this
  process (``_cron_rescore_leads``, committed after each batch as the cron
  does) until nothing is pending, and its scores compared with the floor's.
"""

import time
from contextlib import contextmanager
from unittest.mock import patch

from bench_scoring import (
    OURS,
    Data,
    _commit,
    _delete_scores,
    _floor,
    _memory_kb,
    _ours,
    _reset_scores,
    _timed,
    add_bench_columns,
    defer_scoring,
    score_differences,
)

LEADS = 1_000_000  # the largest size; the smallest is a tenth of it
#: rounds of measures at each size, the best of them reported: the time per
#: lead compares like with like
ROUNDS = 2
EDITED_RULE = "Campaign 1"
SAVED_POINTS = 7  # the points of the rule save at the largest size

BOUND_FIRST = 0.5  # first scoring at the largest size vs the floor
BOUND_NIGHTLY = 0.3  # nightly pass at the largest size vs the floor
BOUND_PER_LEAD = 1.2  # time per lead of the first scoring, largest vs smallest
BOUND_MEMORY = 300  # MB above the start of the first scoring at the largest size
BOUND_RULE_SAVE = 2.0  # s, a rule save at the largest size
#: first scoring at the largest size, with the lead priority (A1 ... C3)
#: computed in the statement vs the same statement without it
BOUND_PRIORITY = 1.05
#: first scorings of each variant, with and without the priority, the best kept
PRIORITY_ROUNDS = 5

STATES = ("first", "edit", "nightly")


def _seq_scan(env):
    """Seconds of one sequential scan of crm_lead (best of 2), JIT off as in
    our scoring statement."""
    cr = env.cr
    times = []
    for __ in range(2):
        start = time.perf_counter()
        cr.execute(
            "SELECT set_config('jit', 'off', true);"
            " SELECT count(*) FROM crm_lead WHERE id % 1000003 = -1"
        )
        cr.fetchall()
        times.append(time.perf_counter() - start)
    cr.rollback()
    return min(times)


def _insert_leads(env, data, count):
    """Insert ``count`` leads with crm_lead's indexes dropped, then rebuilt
    (setting up, not measured: a bulk load is that much faster)."""
    cr = env.cr
    cr.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.tablename = 'crm_lead' AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """
    )
    indexes = cr.fetchall()
    for name, __ in indexes:
        cr.execute(f'DROP INDEX "{name}"')
    data.insert_leads(count)
    for __, definition in indexes:
        cr.execute(definition)
    _commit(env)


def _reset(env):
    """No score anywhere (``bench_scoring._reset_scores``), the floor's column
    dropped and added back with its index rather than updated to 0 on every
    row, which would take as long as the floor itself."""
    env.flush_all()
    env.cr.execute(
        """
        ALTER TABLE crm_lead DROP COLUMN bench_floor_score;
        ALTER TABLE crm_lead ADD COLUMN bench_floor_score int DEFAULT 0;
        CREATE INDEX crm_lead__bench_floor_score_index
            ON crm_lead (bench_floor_score)
        """
    )
    _reset_scores(env)


@contextmanager
def _without_priority(env):
    """The scoring statement without the lead priority: a constant instead of
    the grading by the company's thresholds. The baseline of the priority's
    cost only: its scores are the same, its priorities are not (the next
    scoring writes them back)."""
    from odoo.tools import SQL  # noqa: PLC0415 - importable once Odoo is loaded

    model = type(env["crm.lead"])
    with (
        patch.object(
            model, "_get_priority_sql", lambda self, *args, **kwargs: SQL("'C3'")
        ),
        patch.object(model, "_get_priority_company_sql", lambda self, alias: None),
    ):
        yield


def _ours_without_priority(env):
    with _without_priority(env):
        _ours(env)


def _measure_priority(env, rounds):
    """The first scoring with the lead priority and without it
    (``_without_priority``), each from no score of ours, in the order
    without, with, with, without... (each variant as often first as second);
    returns the best time of each. Ours is the last, its scores kept."""
    times = {"with": [], "without": []}
    for round_ in range(rounds):
        order = ("without", "with") if round_ % 2 == 0 else ("with", "without")
        for variant in order if round_ < rounds - 1 else ("without", "with"):
            _delete_scores(env)
            function = _ours if variant == "with" else _ours_without_priority
            times[variant].append(_timed(env, function))
            _commit(env)
    return min(times["with"]), min(times["without"])


def _measure_size(env, data, specs, rules, rounds):
    """Times {state: {variant: [seconds]}}, peak memory (MB), differences."""
    edited = rules.filtered(lambda rule: rule.name == EDITED_RULE)
    times = {state: {"ours": [], "floor": []} for state in STATES}
    peak_mb, differences = 0.0, 0
    for round_ in range(rounds):
        order = ("floor", "ours") if round_ % 2 == 0 else ("ours", "floor")
        _reset(env)
        for state in STATES:
            if state == "edit":
                defer_scoring(edited).points = 9 if edited.points != 9 else 6
                _commit(env)
            # the order alternates from one measure to the next
            variants = order if state != "edit" else order[::-1]
            for variant in variants:
                if variant == "floor":
                    elapsed = _timed(env, _floor, data, specs, rules)
                elif state == "first":
                    rss_start = _memory_kb("VmRSS")
                    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
                        refs.write("5")
                    elapsed = _timed(env, _ours)
                    peak = max(_memory_kb("VmHWM") - rss_start, 0) / 1024
                    peak_mb = max(peak_mb, peak)
                else:
                    elapsed = _timed(env, OURS[state])
                _commit(env)
                times[state][variant].append(elapsed)
        differences += score_differences(env)
    return times, peak_mb, differences


def _rule_save_and_job(env, data, specs, rules):
    """Save a rule's points through the ORM (default settings), committed,
    then run the background rescoring it queued until nothing is pending.
    Returns (save seconds, job seconds, batches, differences with the floor)."""
    Job = env["crm.lead.scoring.job"]
    env["ir.config_parameter"].sudo().search(
        [
            (
                "key",
                "in",
                ["lead_scoring.sync_rescore_limit", "lead_scoring.rescore_batch_size"],
            )
        ]
    ).unlink()
    _commit(env)
    edited = rules.filtered(lambda rule: rule.name == EDITED_RULE).with_context(
        lead_scoring_batch=None
    )
    start = time.perf_counter()
    edited.write({"points": SAVED_POINTS})
    env.flush_all()
    env.cr.commit()
    save = time.perf_counter() - start
    batches = 0
    start = time.perf_counter()
    while Job.search_count([]):
        Job._cron_rescore_leads()
        env.flush_all()
        env.cr.commit()
        batches += 1
    job = time.perf_counter() - start
    _commit(env)
    _floor(env, data, specs, rules)
    _commit(env)
    return save, job, batches, score_differences(env)


def measure(env, leads=LEADS):
    """Run the measures; return a list of (name, value, unit, bound, ok)."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    Rule = defer_scoring(env["crm.lead.scoring.rule"])
    Rule.with_context(active_test=False).search([]).write({"active": False})
    add_bench_columns(env)
    data = Data(env)
    specs = data.rules()
    rules = Rule.create(
        [
            {"name": name, "points": points, "domain": domain}
            for name, points, domain, __ in specs
        ]
    )
    env.registry.clear_cache()
    results = [("data: rules", len(rules), "rules", None, True)]
    sizes = (leads // 10, leads)
    best, inserted = {}, 0
    for size in sizes:
        start = time.perf_counter()
        _insert_leads(env, data, size - inserted)
        inserted = size
        print(
            f"  {size} leads inserted ({time.perf_counter() - start:.0f} s)", flush=True
        )
        label = f"{size:,}"
        scan = _seq_scan(env)
        times, peak_mb, differences = _measure_size(env, data, specs, rules, ROUNDS)
        best[size] = {
            state: {variant: min(values) for variant, values in variants.items()}
            for state, variants in times.items()
        }
        largest = size == leads
        results.append(
            (f"{label}: one sequential scan of crm_lead", scan * 1000, "ms", None, True)
        )
        for state, label_state in (
            ("first", "first scoring"),
            ("edit", "one rule's points edited"),
            ("nightly", "nightly, nothing changed"),
        ):
            ours, floor = best[size][state]["ours"], best[size][state]["floor"]
            bound = {"first": BOUND_FIRST, "nightly": BOUND_NIGHTLY}.get(state)
            bound = bound if largest else None
            results += [
                (f"{label}: {label_state}: SQL floor", floor, "s", None, True),
                (f"{label}: {label_state}: lead_scoring", ours, "s", None, True),
                (
                    f"{label}: {label_state}: lead_scoring vs floor",
                    ours / floor,
                    "x",
                    bound,
                    bound is None or ours / floor <= bound,
                ),
            ]
        first = best[size]["first"]["ours"]
        with_priority, without = _measure_priority(env, PRIORITY_ROUNDS)
        bound = BOUND_PRIORITY if largest else None
        results += [
            (
                f"{label}: first scoring with the lead priority",
                with_priority,
                "s",
                None,
                True,
            ),
            (
                f"{label}: first scoring without the lead priority",
                without,
                "s",
                None,
                True,
            ),
            (
                f"{label}: first scoring with the lead priority vs without",
                with_priority / without,
                "x",
                bound,
                bound is None or with_priority / without <= bound,
            ),
        ]
        results += [
            (
                f"{label}: first scoring vs one sequential scan",
                first / scan,
                "x",
                None,
                True,
            ),
            (
                f"{label}: peak memory of the first scoring",
                peak_mb,
                "MB",
                BOUND_MEMORY if largest else None,
                not largest or peak_mb <= BOUND_MEMORY,
            ),
            (
                f"{label}: scores differing from the floor",
                differences,
                "leads",
                0,
                differences == 0,
            ),
        ]
    small, large = sizes
    per_lead = (best[large]["first"]["ours"] / large) / (
        best[small]["first"]["ours"] / small
    )
    results.append(
        (
            f"first scoring: time per lead at {large:,} vs {small:,}",
            per_lead,
            "x",
            BOUND_PER_LEAD,
            per_lead <= BOUND_PER_LEAD,
        )
    )
    save, job, batches, differences = _rule_save_and_job(env, data, specs, rules)
    label = f"{large:,}"
    results += [
        (
            f"{label}: rule save (points), committed",
            save,
            "s",
            BOUND_RULE_SAVE,
            save <= BOUND_RULE_SAVE,
        ),
        (f"{label}: background rescoring, all batches", job, "s", None, True),
        (f"{label}: background rescoring batches", batches, "batches", None, True),
        (
            f"{label}: scores differing from the floor after it",
            differences,
            "leads",
            0,
            differences == 0,
        ),
    ]
    return results


def run(env, leads=LEADS):
    """Entry point of tests/bench/run.py: the figures measured, as a list of
    (name, value, unit, bound, ok). The data is committed: run it on a
    database made for the benchmark."""
    return measure(env, leads=leads)
