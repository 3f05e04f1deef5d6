"""The evaluation of the scoring rules on closed leads, at 1,000,000 leads
of which 300,000 are closed.

Run alone (it makes its own data: run it on a database made for the
benchmark, as `make bench` does; it is left out of a plain `make bench`):

    make bench ARGS="--only evaluation"

On the scoring benchmark's data (``bench_scoring.Data``, its 20 rules;
``--leads`` gives the number of leads), three in ten leads are closed over
the past year: won (in a won stage) more often with a campaign and a phone,
lost (archived, probability 0) otherwise. Measured, each followed by a
commit and VACUUM ANALYZE:

- the first scoring of every lead (``crm.lead._scoring_rescore()``,
  no score anywhere), the reference;
- ``crm.lead.scoring.evaluation.evaluate()`` of the company: its time against
  the first scoring's (bound ``BOUND_TIME``) and the peak memory of the
  process during it (VmHWM reset through /proc/self/clear_refs; bound
  ``BOUND_MEMORY`` MB above its start);
- the evaluation's figures: leads evaluated, the three ranking qualities.
"""

import time

from bench_scale import _insert_leads
from bench_scoring import (
    Data,
    _commit,
    _memory_kb,
    _ours,
    _reset_scores,
    _timed,
    add_bench_columns,
)

LEADS = 1_000_000
CLOSED_SHARE = 3  # in ten leads
BOUND_TIME = 3.0  # the evaluation vs the first scoring
BOUND_MEMORY = 300  # MB above the start of the evaluation


def _close_leads(env, data):
    """Three leads in ten closed over the past year, the others open (none
    in a won stage, no closing date)."""
    won_stage = data.won_stages[:1].id
    open_stage = data.stages[:1].id
    env.cr.execute(
        """
        UPDATE crm_lead SET
               date_closed = CASE WHEN closed
                   THEN now() at time zone 'UTC' - (id %% 360) * interval '1 day' END,
               stage_id = CASE WHEN closed AND won THEN %(won)s
                               WHEN stage_id = ANY(%(won_stages)s) THEN %(open)s
                               ELSE stage_id END,
               active = NOT closed OR won,
               probability = CASE WHEN NOT closed THEN probability
                                  WHEN won THEN 100 ELSE 0 END
          FROM (
               SELECT id AS lead_id, id %% 10 < %(share)s AS closed,
                      (id::bigint * 7919) %% 100
                          < 15 + 30 * (campaign_id IS NOT NULL)::int
                               + 20 * (phone IS NOT NULL)::int AS won
                 FROM crm_lead
                WHERE id %% 10 < %(share)s OR stage_id = ANY(%(won_stages)s)
          ) AS outcome
         WHERE crm_lead.id = outcome.lead_id
        """,
        {
            "won": won_stage,
            "won_stages": data.won_stages.ids,
            "open": open_stage,
            "share": CLOSED_SHARE,
        },
    )
    _commit(env)


def measure(env, leads=LEADS):
    """Run the measures; return a list of (name, value, unit, bound, ok)."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    Rule = env["crm.lead.scoring.rule"]
    add_bench_columns(env)  # which _reset_scores resets
    data = Data(env)
    # the rules made before the leads: their creation rescores nothing
    Rule.with_context(active_test=False).search([]).write({"active": False})
    rules = Rule.create(
        [
            {"name": name, "points": points, "domain": domain}
            for name, points, domain, __ in data.rules()
        ]
    )
    _commit(env)
    start = time.perf_counter()
    _insert_leads(env, data, leads)
    _close_leads(env, data)
    print(f"  {leads} leads inserted ({time.perf_counter() - start:.0f} s)", flush=True)
    _reset_scores(env)
    _commit(env)
    first = _timed(env, _ours)
    _commit(env)
    Evaluation = env["crm.lead.scoring.evaluation"]
    rss_start = _memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")
    start = time.perf_counter()
    evaluation = Evaluation.evaluate(data.company)
    env.flush_all()
    elapsed = time.perf_counter() - start
    peak_mb = max(_memory_kb("VmHWM") - rss_start, 0) / 1024
    _commit(env)
    label = f"{leads:,}"
    return [
        ("data: rules", len(rules), "rules", None, True),
        (
            f"{label}: closed leads evaluated",
            evaluation.closed_count,
            "leads",
            None,
            True,
        ),
        (f"{label}: first scoring", first, "s", None, True),
        (f"{label}: evaluation", elapsed, "s", None, True),
        (
            f"{label}: evaluation vs first scoring",
            elapsed / first,
            "x",
            BOUND_TIME,
            elapsed / first <= BOUND_TIME,
        ),
        (
            f"{label}: peak memory of the evaluation",
            peak_mb,
            "MB",
            BOUND_MEMORY,
            peak_mb <= BOUND_MEMORY,
        ),
        (
            f"{label}: ranking quality, rules",
            evaluation.ranking_quality,
            "%",
            None,
            True,
        ),
        (
            f"{label}: ranking quality, suggested points",
            evaluation.suggested_ranking_quality,
            "%",
            None,
            True,
        ),
        (
            f"{label}: ranking quality, crm's probability",
            evaluation.pls_ranking_quality,
            "%",
            None,
            True,
        ),
    ]


def run(env, leads=LEADS):
    """Entry point of tests/bench/run.py. The data is committed: run it on a
    database made for the benchmark."""
    return measure(env, leads=leads)
