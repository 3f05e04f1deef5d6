"""Benchmark of lead_scoring on 100,000 leads and 20 rules.

Called by ``tests/bench/run.py`` as ``run(env, report)``; alone with:

    python tests/bench/run.py --config .run/test/odoo.conf --database DB --only scoring

Measured in the same run, each against its own baseline:

- the full recompute against a hand-written SQL floor (one statement per rule
  computing the same totals in PostgreSQL) and against a naive ORM loop
  (``filtered_domain`` per rule over all leads); the scores of all three are
  compared;
- creating 10,000 leads in batches of 100 with the 20 rules active vs none;
- writing a field the rules use on 10,000 leads, rules active vs none;
- crm's assignment of the 10,000 unassigned leads (one in ten) over 3 teams
  of 5 salespersons with minimum scores, then with minimum fit and engagement
  scores, each vs no minimum (crm's own assignment), and whether any lead
  below a team's minimums reached it (engagement scores are spread over those
  leads in SQL first: the 20 rules are fit rules);
- the peak memory of the process during the full recompute.

Our scores are read from crm.lead.score (``COALESCE(s.score, 0)``, a lead
without a row scores 0); the floor writes the column ``bench_floor_score`` the
benchmark adds to crm_lead (the score column crm_lead had before, with its
index), the naive loop the column ``bench_naive_score``.

Its data (100,000 leads, teams, rules) is committed: run it on a database made
for the benchmark, as `make bench` does.
"""

import random
import threading
import time

LEADS = 100_000
CREATE = 10_000  # leads created, and written, in each variant
CREATE_BATCH = 100

BOUND_FLOOR = 1.5  # full recompute vs the hand-written SQL floor
BOUND_NAIVE = 20.0  # the naive ORM loop must be at least this much slower
BOUND_CREATE = 1.15
BOUND_WRITE = 1.2
BOUND_ASSIGN = 1.1
BOUND_MEMORY = 300  # MB above the start of the full recompute

COUNTRIES = ["vn", "be", "fr", "de", "us", "sg", "jp", "th", "kr", "cn"]
DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "congty{}.vn", "company{}.com"]


def defer_scoring(records):
    """lead_scoring's ``defer_scoring`` (imported once Odoo's addons path is
    set up): ``records`` whose writes rescore nothing."""
    from odoo.addons.lead_scoring.models.crm_lead import (  # noqa: PLC0415
        defer_scoring as defer,
    )

    return defer(records)


# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------


class Data:
    """Records the benchmark works with."""

    def __init__(self, env):
        self.env = env
        self.company = env.company
        self.countries = [env.ref(f"base.{code}") for code in COUNTRIES]
        stages = env["crm.stage"].search([], order="sequence, id")
        self.stages = stages.filtered(lambda stage: not stage.is_won)[:3]
        self.won_stages = stages.filtered("is_won")
        self.campaigns = env["utm.campaign"].create(
            [{"name": f"Bench campaign {index}"} for index in range(6)]
        )
        self.sources = env["utm.source"].create(
            [{"name": f"Bench source {index}"} for index in range(5)]
        )
        self.mediums = env["utm.medium"].create(
            [{"name": f"Bench medium {index}"} for index in range(5)]
        )
        self.tags = env["crm.tag"].create(
            [{"name": f"Bench tag {index}"} for index in range(6)]
        )
        users = env["res.users"].create(
            [
                {
                    "name": f"Bench salesperson {index}",
                    "login": f"bench_sales_{index}",
                    "email": f"bench_sales_{index}@example.com",
                    "groups_id": [
                        (4, env.ref("sales_team.group_sale_salesman_all_leads").id)
                    ],
                }
                for index in range(15)
            ]
        )
        self.teams = env["crm.team"].create(
            [
                {
                    "name": f"Bench team {index}",
                    "company_id": self.company.id,
                    "assignment_optout": False,
                    "crm_team_member_ids": [
                        (0, 0, {"user_id": user.id, "assignment_max": 30_000})
                        for user in users[index * 5 : index * 5 + 5]
                    ],
                }
                for index in range(3)
            ]
        )
        self.users = users

    def insert_leads(self, count):
        """Insert ``count`` leads straight in SQL (setting up, not measured):
        nine in ten assigned to a bench team, one in ten unassigned."""
        cr = self.env.cr
        Lead = self.env["crm.lead"]
        extra_columns, extra_values = [], []
        for name in ("bant_budget", "bant_authority", "bant_need", "bant_timeline"):
            if name in Lead._fields:
                extra_columns.append(name)
                extra_values.append("'unknown'")
        if "lead_status_id" in Lead._fields:
            status = Lead.default_get(["lead_status_id"]).get("lead_status_id")
            if status:
                extra_columns.append("lead_status_id")
                extra_values.append(str(int(status)))
        arrays = {
            "countries": [country.id for country in self.countries],
            "stages": (self.stages | self.won_stages).ids,
            "campaigns": self.campaigns.ids,
            "sources": self.sources.ids,
            "mediums": self.mediums.ids,
            "teams": self.teams.ids,
            "users": self.users.ids,
        }
        cr.execute(
            f"""
            INSERT INTO crm_lead (
                name, type, active, company_id, stage_id, country_id,
                campaign_id, source_id, medium_id, email_from, email_normalized,
                phone, partner_name, expected_revenue, probability, priority,
                team_id, user_id, create_date, write_date, create_uid, write_uid
                {"".join(", " + column for column in extra_columns)}
            )
            SELECT 'Bench lead ' || i,
                   CASE WHEN i %% 3 = 0 THEN 'opportunity' ELSE 'lead' END,
                   i %% 50 <> 7,
                   %(company)s,
                   (%(stages)s::int[])[1 + i %% cardinality(%(stages)s::int[])],
                   (%(countries)s::int[])[1 + (i * 7) %% 10],
                   CASE WHEN i %% 7 = 0 THEN NULL
                        ELSE (%(campaigns)s::int[])[1 + i %% 6] END,
                   (%(sources)s::int[])[1 + i %% 5],
                   (%(mediums)s::int[])[1 + (i / 5) %% 5],
                   email, lower(email),
                   CASE WHEN i %% 3 = 0 THEN '09' || lpad(i::text, 8, '0') END,
                   CASE WHEN i %% 2 = 0 THEN 'Bench company ' || i END,
                   (i * 7919) %% 200000,
                   (i * 31) %% 100,
                   ((i * 11) %% 4)::text,
                   CASE WHEN i %% 10 <> 0
                        THEN (%(teams)s::int[])[1 + i %% 3] END,
                   CASE WHEN i %% 10 <> 0
                        THEN (%(users)s::int[])[1 + (i %% 3) * 5 + (i / 3) %% 5] END,
                   now() at time zone 'UTC' - ((i * 13) %% 120) * interval '1 day',
                   now() at time zone 'UTC', %(uid)s, %(uid)s
                   {"".join(", " + value for value in extra_values)}
              FROM (
                   SELECT i, 'contact' || i || '@' || replace(
                              (%(domains)s::text[])[1 + i %% 5], '{{}}', (i %% 50)::text
                          ) AS email
                     FROM generate_series(1::bigint, %(count)s::bigint) AS i
              ) AS source
            RETURNING id
            """,
            dict(
                arrays,
                company=self.company.id,
                domains=DOMAINS,
                count=count,
                uid=self.env.uid,
            ),
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            """
            INSERT INTO crm_tag_rel (lead_id, tag_id)
            SELECT lead.id, (%(tags)s::int[])[1 + lead.id %% 6]
              FROM crm_lead lead WHERE lead.id = ANY(%(ids)s)
             UNION
            SELECT lead.id, (%(tags)s::int[])[1 + (lead.id * 7 / 2) %% 6]
              FROM crm_lead lead WHERE lead.id = ANY(%(ids)s) AND lead.id %% 2 = 0
            """,
            {"tags": self.tags.ids, "ids": ids},
        )
        _commit(self.env)
        return ids

    def rules(self):
        """20 rules, mixing many2one, char, many2many, numeric and date
        conditions, two of them negative; and their hand-written SQL."""
        be, fr, de, vn = (
            self.countries[COUNTRIES.index(c)] for c in "be fr de vn".split()
        )
        c1, c2, c3 = self.campaigns[:3]
        s_qualified, s_proposition = self.stages[1:3]
        t1, t2, t3 = self.tags[:3]
        src, med = self.sources[0], self.mediums[0]
        recent = "(context_today() - relativedelta(days=7)).strftime('%Y-%m-%d')"
        tag_sql = (
            "EXISTS (SELECT 1 FROM crm_tag_rel r"
            " WHERE r.lead_id = l.id AND r.tag_id {})"
        )
        specs = [
            (
                "Vietnam",
                10,
                f"[('country_id', '=', {vn.id})]",
                f"l.country_id = {vn.id}",
            ),
            (
                "Belgium",
                8,
                f"[('country_id', '=', {be.id})]",
                f"l.country_id = {be.id}",
            ),
            (
                "France or Germany",
                5,
                f"[('country_id', 'in', [{fr.id}, {de.id}])]",
                f"l.country_id IN ({fr.id}, {de.id})",
            ),
            (
                "Campaign 1",
                6,
                f"[('campaign_id', '=', {c1.id})]",
                f"l.campaign_id = {c1.id}",
            ),
            (
                "Campaign 2 or 3",
                4,
                f"[('campaign_id', 'in', [{c2.id}, {c3.id}])]",
                f"l.campaign_id IN ({c2.id}, {c3.id})",
            ),
            (
                "Qualified stage",
                7,
                f"[('stage_id', '=', {s_qualified.id})]",
                f"l.stage_id = {s_qualified.id}",
            ),
            (
                "Proposition stage",
                12,
                f"[('stage_id', '=', {s_proposition.id})]",
                f"l.stage_id = {s_proposition.id}",
            ),
            (
                "Vietnamese email domain",
                5,
                "[('email_from', 'ilike', '.vn')]",
                "l.email_from ILIKE '%%.vn%%'",
            ),
            (
                "Professional email",
                3,
                "['&', ('email_from', 'not ilike', 'gmail.com'), "
                "('email_from', 'not ilike', 'yahoo.com')]",
                "(l.email_from IS NULL OR l.email_from NOT ILIKE '%%gmail.com%%') "
                "AND (l.email_from IS NULL OR l.email_from NOT ILIKE '%%yahoo.com%%')",
            ),
            (
                "Gmail address",
                -4,
                "[('email_from', 'ilike', 'gmail.com')]",
                "l.email_from ILIKE '%%gmail.com%%'",
            ),
            (
                "Tag 1",
                6,
                f"[('tag_ids', 'in', [{t1.id}])]",
                tag_sql.format(f"= {t1.id}"),
            ),
            (
                "Tag 2 or 3",
                3,
                f"[('tag_ids', 'in', [{t2.id}, {t3.id}])]",
                tag_sql.format(f"IN ({t2.id}, {t3.id})"),
            ),
            (
                "Large revenue",
                15,
                "[('expected_revenue', '>=', 100000)]",
                "l.expected_revenue >= 100000",
            ),
            (
                "Small revenue",
                -10,
                "[('expected_revenue', '<', 10000)]",
                "l.expected_revenue < 10000",
            ),
            ("Likely", 4, "[('probability', '>=', 50)]", "l.probability >= 50"),
            (
                "High priority",
                5,
                "[('priority', 'in', ['2', '3'])]",
                "l.priority IN ('2', '3')",
            ),
            (
                "Created this week",
                6,
                f"[('create_date', '>=', {recent})]",
                "l.create_date >= (now() at time zone 'UTC')::date - 7",
            ),
            (
                "Has a phone",
                2,
                "[('phone', '!=', False)]",
                "l.phone IS NOT NULL AND l.phone <> ''",
            ),
            (
                "Has a company name",
                3,
                "[('partner_name', '!=', False)]",
                "l.partner_name IS NOT NULL AND l.partner_name <> ''",
            ),
            (
                "Source 1 by medium 1",
                4,
                f"[('source_id', '=', {src.id}), ('medium_id', '=', {med.id})]",
                f"l.source_id = {src.id} AND l.medium_id = {med.id}",
            ),
        ]
        assert len(specs) == 20 and sum(points < 0 for __, points, *__ in specs) == 2
        return specs


# ---------------------------------------------------------------------------
# measures
# ---------------------------------------------------------------------------


def _commit(env):
    """Commit and clean up the lead tables, so that each measure starts from
    rows written by earlier transactions, as in production."""
    env.flush_all()
    env.cr.commit()
    cnx = env.cr._cnx
    cnx.autocommit = True
    try:
        with cnx.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE crm_lead, crm_lead_score, crm_lead_score_history"
            )
    finally:
        cnx.autocommit = False
    env.invalidate_all()


def add_bench_columns(env):
    """The columns of crm_lead the baselines write (setting up, not measured):

    - ``bench_floor_score``: the score column crm_lead had before
      crm.lead.score, with its index, which the SQL floor writes, as the
      scoring did before its scores moved to their narrow table;
    - ``bench_naive_score``: where the naive ORM loop writes its totals (the
      ORM cannot write lead_score, computed from crm.lead.score), one SQL
      UPDATE per distinct score, no index."""
    env.cr.execute(
        """
        ALTER TABLE crm_lead
            ADD COLUMN IF NOT EXISTS bench_floor_score int DEFAULT 0,
            ADD COLUMN IF NOT EXISTS bench_naive_score int DEFAULT 0;
        CREATE INDEX IF NOT EXISTS crm_lead__bench_floor_score_index
            ON crm_lead (bench_floor_score)
        """
    )
    _commit(env)


def _delete_scores(env):
    """No row of crm.lead.score nor history (the baselines' columns kept)."""
    env.flush_all()
    env.cr.execute("DELETE FROM crm_lead_score_history")
    env.cr.execute("DELETE FROM crm_lead_score")
    _commit(env)


def _reset_scores(env):
    """No score anywhere, as before the first scoring: ours without rows of
    crm.lead.score nor history, the baselines' columns at 0."""
    env.flush_all()
    env.cr.execute(
        "UPDATE crm_lead SET bench_floor_score = 0, bench_naive_score = 0"
        " WHERE bench_floor_score <> 0 OR bench_naive_score <> 0"
    )
    _delete_scores(env)


def _scope_sql(data):
    won = ",".join(str(stage_id) for stage_id in data.won_stages.ids) or "0"
    return (
        f"l.active AND (l.stage_id IS NULL OR l.stage_id NOT IN ({won})) "
        f"AND (l.company_id = {data.company.id} OR l.company_id IS NULL)"
    )


def _floor_matches(env, data, specs, points):
    """Fill the temporary table bench_match (lead_id, points) with the leads
    in scope each rule matches and the rule's ``points``: one statement per
    rule, the hand-written SQL of ``specs``."""
    scope = _scope_sql(data)
    env.cr.execute("CREATE TEMPORARY TABLE bench_match (lead_id int, points int)")
    for (__, __, __, where), rule_points in zip(specs, points, strict=True):
        env.cr.execute(
            f"INSERT INTO bench_match SELECT l.id, {int(rule_points)} FROM crm_lead l "
            f"WHERE {scope} AND ({where})"
        )


def _floor(env, data, specs, rules):
    """The hand-written SQL floor, today's: one statement per rule, then the
    totals written with one UPDATE of crm_lead's score column (the
    ``bench_floor_score`` column, indexed as lead_score was)."""
    cr = env.cr
    scope = _scope_sql(data)
    _floor_matches(env, data, specs, [rule.points for rule in rules])
    cr.execute(
        f"""
        UPDATE crm_lead lead SET bench_floor_score = totals.total
          FROM (SELECT l.id, COALESCE(SUM(m.points), 0) AS total
                  FROM crm_lead l LEFT JOIN bench_match m ON m.lead_id = l.id
                 WHERE {scope} GROUP BY l.id) AS totals
         WHERE lead.id = totals.id
           AND lead.bench_floor_score IS DISTINCT FROM totals.total
        """
    )
    cr.execute("DROP TABLE bench_match")


def _naive(env, rules):
    """The naive ORM loop: filtered_domain per rule over all the leads, then
    the scores that changed written, grouped by value: the ORM cannot write
    lead_score (computed from crm.lead.score), so the totals go to the column
    ``bench_naive_score`` with one SQL UPDATE per distinct score."""
    Lead = env["crm.lead"]
    leads = Lead.search(Lead._get_scoring_scope_domain())
    totals = dict.fromkeys(leads.ids, 0)
    for rule in rules:
        for lead in leads.filtered_domain(rule._get_lead_domain()):
            totals[lead.id] += rule.points
    env.cr.execute(
        "SELECT id, bench_naive_score FROM crm_lead WHERE id = ANY(%s)", [leads.ids]
    )
    by_score = {}
    for lead_id, score in env.cr.fetchall():
        if score != totals[lead_id]:
            by_score.setdefault(totals[lead_id], []).append(lead_id)
    for total, ids in by_score.items():
        env.cr.execute(
            "UPDATE crm_lead SET bench_naive_score = %s WHERE id = ANY(%s)",
            [total, ids],
        )


def _ours(env):
    """lead_scoring's full recompute, one statement (the nightly cron and a
    rule change over ``lead_scoring.sync_rescore_limit`` leads run it in
    committed batches, see crm.lead.scoring.job)."""
    env["crm.lead"]._scoring_rescore()
    env.flush_all()


def _nightly(env):
    """lead_scoring's nightly pass (the cron's method): it rescores only the
    leads whose matches changed without a write of theirs (the rules relative
    to today or reading what changes without a write), at once when they are
    few, else in the background."""
    env["crm.lead"]._cron_recompute_lead_scores()
    env.flush_all()


#: our variant measured in each state (see STATES)
OURS = {"first": _ours, "edit": _ours, "nightly": _nightly}


def _timed(env, function, *args):
    env.flush_all()
    env.invalidate_all()
    start = time.perf_counter()
    function(env, *args)
    env.flush_all()
    return time.perf_counter() - start


#: the score of each lead as each variant left it, by lead id
SCORES_SQL = {
    "ours": "SELECT l.id, COALESCE(s.score, 0) FROM crm_lead l"
    " LEFT JOIN crm_lead_score s ON s.lead_id = l.id ORDER BY l.id",
    "floor": "SELECT id, bench_floor_score FROM crm_lead ORDER BY id",
    "naive": "SELECT id, bench_naive_score FROM crm_lead ORDER BY id",
}


def _scores(env, variant):
    env.cr.execute(SCORES_SQL[variant])
    return env.cr.fetchall()


def score_differences(env, variant="floor"):
    """Number of leads whose score (ours) differs from ``variant``'s column."""
    column = {"floor": "bench_floor_score", "naive": "bench_naive_score"}[variant]
    env.flush_all()
    env.cr.execute(
        f"SELECT count(*) FROM crm_lead l"
        f" LEFT JOIN crm_lead_score s ON s.lead_id = l.id"
        f" WHERE COALESCE(s.score, 0) <> l.{column}"
    )
    return env.cr.fetchone()[0]


def _memory_kb(field):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


#: the states a full recompute starts from: every score to write (first
#: scoring after install), one rule's points edited, nothing changed (the
#: nightly cron)
STATES = {
    "first": "first scoring, all scores change",
    "edit": "one rule's points edited",
    "nightly": "nightly, no score changes",
}


def _prepare(env, data, specs, rules, state):
    """Put the scores of every variant in ``state``, committed."""
    edited = rules.filtered(lambda rule: rule.name == "Campaign 1")
    defer_scoring(edited).points = 6
    if state == "first":
        _reset_scores(env)
        return
    _ours(env)
    _floor(env, data, specs, rules)
    env.cr.execute(
        "UPDATE crm_lead SET bench_naive_score = bench_floor_score"
        " WHERE bench_naive_score <> bench_floor_score"
    )
    if state == "edit":
        defer_scoring(edited).points = 9
    _commit(env)


def _measure_recompute(env, data, specs, rules, results):
    # warm-up on the whole data set (caches, plans)
    _prepare(env, data, specs, rules, "first")
    _ours(env)
    _prepare(env, data, specs, rules, "first")
    _floor(env, data, specs, rules)
    mismatches = 0
    for state, label in STATES.items():
        times = {"ours": [], "floor": []}
        scores = {}
        for variant in ("ours", "floor", "floor", "ours"):
            _prepare(env, data, specs, rules, state)
            if variant == "ours":
                times["ours"].append(_timed(env, OURS[state]))
            else:
                times["floor"].append(_timed(env, _floor, data, specs, rules))
            scores[variant] = _scores(env, variant)
        _prepare(env, data, specs, rules, state)
        naive = _timed(env, _naive, rules)
        scores["naive"] = _scores(env, "naive")
        for other in ("floor", "naive"):
            mismatches += sum(
                a != b for a, b in zip(scores["ours"], scores[other], strict=True)
            )
        ours_t, floor_t = min(times["ours"]), min(times["floor"])
        bounded = state != "first"
        results += [
            (f"recompute ({label}): SQL floor, best of 2", floor_t, "s", None, True),
            (f"recompute ({label}): lead_scoring, best of 2", ours_t, "s", None, True),
            (f"recompute ({label}): naive ORM loop", naive, "s", None, True),
            (
                f"recompute ({label}): lead_scoring vs SQL floor",
                ours_t / floor_t,
                "x",
                BOUND_FLOOR,
                ours_t / floor_t <= BOUND_FLOOR,
            ),
            (
                f"recompute ({label}): speed-up vs naive ORM loop",
                naive / ours_t,
                "x",
                f">= {BOUND_NAIVE}" if bounded else None,
                naive / ours_t >= BOUND_NAIVE or not bounded,
            ),
        ]
    # peak memory of a first scoring (VmHWM reset through clear_refs)
    _prepare(env, data, specs, rules, "first")
    rss_start = _memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")
    _ours(env)
    peak_mb = max(_memory_kb("VmHWM") - rss_start, 0) / 1024
    _commit(env)
    results += [
        (
            "recompute: scores differing from floor or naive loop",
            mismatches,
            "leads",
            0,
            mismatches == 0,
        ),
        (
            "recompute: peak memory above start",
            peak_mb,
            "MB",
            BOUND_MEMORY,
            peak_mb <= BOUND_MEMORY,
        ),
    ]


def _lead_values(data, index, tag):
    return {
        "name": f"Bench {tag} {index}",
        "type": "lead",
        "email_from": f"new{index}@{tag}.{DOMAINS[index % 3]}",
        "partner_name": f"Bench {tag} company {index}" if index % 2 else False,
        "contact_name": f"Contact {index}",
        "country_id": data.countries[index % len(data.countries)].id,
        "campaign_id": data.campaigns[index % 6].id,
        "tag_ids": [(6, 0, data.tags[index % 6].ids)],
        "expected_revenue": (index * 7919) % 200000,
        "priority": str(index % 4),
        "user_id": data.users[index % 15].id,
        "team_id": data.teams[index % 3].id,
    }


def _create(env, data, count, tag):
    Lead = env["crm.lead"]
    leads = Lead
    for start in range(0, count, CREATE_BATCH):
        leads |= Lead.create(
            [
                _lead_values(data, index, tag)
                for index in range(start, min(start + CREATE_BATCH, count))
            ]
        )
        env.flush_all()
    return leads


def _set_rules_active(env, rules, active):
    defer_scoring(rules).write({"active": active})
    env.flush_all()


def _measure_create_write(env, data, rules, results, count=CREATE):
    created = {True: [], False: []}
    times = {True: [], False: []}
    # warm-up of both paths
    for active in (False, True):
        _set_rules_active(env, rules, active)
        _create(env, data, CREATE_BATCH, f"warm{int(active)}")
    # best of 3 rounds; each round creates the leads of each variant in two
    # halves, in the order none, rules, rules, none: the tables grow during
    # the benchmark, and this order gives both variants the same share of it
    half = count // 2
    for round_ in range(3):
        spent = {True: 0.0, False: 0.0}
        for step, active in enumerate((False, True, True, False)):
            _set_rules_active(env, rules, active)
            env.invalidate_all()
            start = time.perf_counter()
            leads = _create(env, data, half, f"c{round_}{step}")
            spent[active] += time.perf_counter() - start
            created[active].append(leads)
        for active, seconds in spent.items():
            times[active].append(seconds)
    create_none, create_rules = min(times[False]), min(times[True])
    # write a field the rules use on the 10,000 created leads, alternating
    leads = env["crm.lead"].union(*created[True], *created[False])[:count]
    countries = data.countries
    wtimes = {True: [], False: []}
    for step, active in enumerate((False, True, True, False, False, True)):
        _set_rules_active(env, rules, active)
        leads.invalidate_recordset()
        start = time.perf_counter()
        leads.write({"country_id": countries[step + 1].id})
        env.flush_all()
        wtimes[active].append(time.perf_counter() - start)
    write_none, write_rules = min(wtimes[False]), min(wtimes[True])
    _set_rules_active(env, rules, True)
    _commit(env)
    results += [
        (
            f"create {count} leads by {CREATE_BATCH}, best of 3: no rules",
            create_none,
            "s",
            None,
            True,
        ),
        (
            f"create {count} leads by {CREATE_BATCH}, best of 3: 20 rules",
            create_rules,
            "s",
            None,
            True,
        ),
        (
            "create: 20 rules vs none",
            create_rules / create_none,
            "x",
            BOUND_CREATE,
            create_rules / create_none <= BOUND_CREATE,
        ),
        (
            f"write country on {len(leads)} leads, best of 3: no rules",
            write_none,
            "s",
            None,
            True,
        ),
        (
            f"write country on {len(leads)} leads, best of 3: 20 rules",
            write_rules,
            "s",
            None,
            True,
        ),
        (
            "write: 20 rules vs none",
            write_rules / write_none,
            "x",
            BOUND_WRITE,
            write_rules / write_none <= BOUND_WRITE,
        ),
    ]


#: the teams' minimums of each kind of assignment measured
MINIMUM_FIELDS = ("min_score", "min_fit_score", "min_engagement_score")


def _assign(env, data, minimums):
    """crm's "Assign leads" on the bench teams with ``minimums`` (per team, a
    dict of MINIMUM_FIELDS); return (time, leads allocated, leads below one
    of their team's minimums)."""
    env.flush_all()
    env.cr.execute("SAVEPOINT bench_assign")
    try:
        for team, values in zip(data.teams, minimums, strict=True):
            team.write(dict(dict.fromkeys(MINIMUM_FIELDS, 0), **values))
        env.flush_all()
        env.invalidate_all()
        random.seed(42)
        start = time.perf_counter()
        data.teams._action_assign_leads(force_quota=True, creation_delta_days=0)
        env.flush_all()
        elapsed = time.perf_counter() - start
        env.cr.execute(
            """
            SELECT COUNT(*) FILTER (WHERE lead.team_id IS NOT NULL),
                   COUNT(*) FILTER (
                       WHERE COALESCE(s.score, 0) < team.min_score
                          OR COALESCE(s.fit_score, 0) < team.min_fit_score
                          OR COALESCE(s.engagement_score, 0)
                             < team.min_engagement_score)
              FROM crm_lead lead
              LEFT JOIN crm_lead_score s ON s.lead_id = lead.id
              LEFT JOIN crm_team team ON team.id = lead.team_id
             WHERE lead.id = ANY(%s)
            """,
            [data.unassigned_ids],
        )
        assigned, below = env.cr.fetchone()
    finally:
        env.invalidate_all(flush=False)
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_assign")
    return elapsed, assigned, below


def _spread_engagement(env, data):
    """Engagement scores of 0 to 59 spread over the unassigned leads, in SQL
    (the benchmark's rules are fit rules; events would leave such scores),
    their scores and priorities following."""
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO crm_lead_score AS s (lead_id, score, fit_score,
                                         engagement_score, date)
        SELECT id, 0, 0, 0, now() FROM crm_lead WHERE id = ANY(%s)
        ON CONFLICT (lead_id) DO NOTHING;
        UPDATE crm_lead_score
           SET engagement_score = (lead_id * 7919) %% 60,
               score = COALESCE(fit_score, 0) + (lead_id * 7919) %% 60
         WHERE lead_id = ANY(%s)
        """,
        [data.unassigned_ids, data.unassigned_ids],
    )
    env["crm.lead"]._update_lead_priorities()
    _commit(env)


def _percentiles(env, data, column, fractions):
    """The ``fractions`` percentiles of ``column`` of crm.lead.score over the
    unassigned leads, each at least 1 (a minimum of 0 means none)."""
    env.cr.execute(
        f"SELECT percentile_disc(%s) WITHIN GROUP (ORDER BY COALESCE(s.{column}, 0))"  # noqa: S608
        " FROM crm_lead l LEFT JOIN crm_lead_score s ON s.lead_id = l.id"
        " WHERE l.id = ANY(%s)",
        [list(fractions), data.unassigned_ids],
    )
    return [max(1, value) for value in env.cr.fetchone()[0]]


def _measure_assignment(env, data, results):
    env.cr.execute(
        "SELECT id FROM crm_lead WHERE team_id IS NULL AND user_id IS NULL "
        "AND active ORDER BY id"
    )
    data.unassigned_ids = [row[0] for row in env.cr.fetchall()]
    _spread_engagement(env, data)
    min_scores = _percentiles(env, data, "score", (0.2, 0.4, 0.6))
    min_fits = _percentiles(env, data, "fit_score", (0.2, 0.4, 0.6))
    min_engagements = _percentiles(env, data, "engagement_score", (0.6, 0.4, 0.2))
    kinds = {
        "zero": [{}, {}, {}],
        "min": [{"min_score": value} for value in min_scores],
        "fit_engagement": [
            {"min_fit_score": fit, "min_engagement_score": engagement}
            for fit, engagement in zip(min_fits, min_engagements, strict=True)
        ],
    }
    times, counts = {}, {}
    for kind, minimums in kinds.items():
        times[kind], assigned, below = _assign(env, data, minimums)
        counts[kind] = (assigned, below)
    label = f"assign {len(data.unassigned_ids)} leads, 3 teams x 5"
    results.append((f"{label}: no minimum (crm's)", times["zero"], "s", None, True))
    for kind, name in (
        ("min", "minimum scores " + "/".join(map(str, min_scores))),
        (
            "fit_engagement",
            "minimum fit/engagement "
            + " ".join(
                f"{fit}/{engagement}"
                for fit, engagement in zip(min_fits, min_engagements, strict=True)
            ),
        ),
    ):
        ratio = times[kind] / times["zero"]
        results += [
            (f"assign: {name}", times[kind], "s", None, True),
            (
                f"assign: {name} vs no minimum",
                ratio,
                "x",
                BOUND_ASSIGN,
                ratio <= BOUND_ASSIGN,
            ),
            (f"assign: {name}: leads allocated", counts[kind][0], "leads", None, True),
            (
                f"assign: {name}: leads below their team's minimums",
                counts[kind][1],
                "leads",
                0,
                counts[kind][1] == 0,
            ),
        ]
    results.append(
        ("assign: no minimum: leads allocated", counts["zero"][0], "leads", None, True)
    )


def measure(env, leads=LEADS):
    """Run the measures; return a list of (name, value, unit, bound, ok)."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    threading.current_thread().testing = True  # crm's assignment: no commits
    Rule = defer_scoring(env["crm.lead.scoring.rule"])
    Rule.with_context(active_test=False).search([]).write({"active": False})
    add_bench_columns(env)
    data = Data(env)
    data.insert_leads(leads)
    specs = data.rules()
    rules = Rule.create(
        [
            {"name": name, "points": points, "domain": domain}
            for name, points, domain, __ in specs
        ]
    )
    env.registry.clear_cache()
    results = [
        ("data: leads", leads, "leads", None, True),
        ("data: rules", len(rules), "rules", None, True),
    ]
    _measure_recompute(env, data, specs, rules, results)
    _measure_create_write(env, data, rules, results, count=min(CREATE, leads // 10))
    _ours(env)
    _commit(env)
    _measure_assignment(env, data, results)
    return results


def run(env, leads=LEADS):
    """Entry point of tests/bench/run.py: the figures measured, as a list of
    (name, value, unit, bound, ok). The data is committed (measures start
    from committed rows, as in production): run it on a database made for
    the benchmark."""
    try:
        results = measure(env, leads=leads)
    finally:
        threading.current_thread().testing = False
    return results
