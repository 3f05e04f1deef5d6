"""Salespeople at work while every lead is rescored, on a multi-process Odoo.

Run (it makes its own data: run it on a database made for the benchmark, as
`make bench` does; it is left out of a plain `make bench`):

    make bench ARGS="--only concurrency"                  # 1,000,000 leads
    make bench ARGS="--only concurrency --leads 20000"    # small, while developing
    python tests/bench/run.py --config .run/test/odoo.conf --database DB \\
        --only concurrency --leads 20000

What it does:

1. Data, committed: the scoring benchmark's leads (``bench_scoring.Data``) and
   its 20 rules, every score computed once; 8 salespeople (Sales / All
   Documents) and a Sales Administrator, each with a password; crm's lead
   enrichment on demand only (it would call Odoo's servers), the other crons
   of the new database moved to tomorrow.
2. Odoo as companies run it in production: ``odoo-bin --workers 2
   --max-cron-threads 1`` on that database, on HTTP_PORT (or a free port),
   logging to ``<data_dir>/bench-concurrency-odoo.log``; stopped at the end.
3. Idle phase: the 8 salespeople, each a thread with its own JSON-RPC session
   (/web/session/authenticate, /web/dataset/call_kw), loop for
   ``--idle-seconds`` (its first WARM_UP seconds not measured): create a
   lead, write fields the rules use (country, campaign, expected revenue,
   tags) on it and on one of the existing leads the rescoring changes, move
   the lead's stage, read it back, and every ``CONVERT_EVERY``-th lead convert
   it to an opportunity with crm's wizard (``crm.lead2opportunity.partner``
   create + ``action_apply``, as the form's button does). Each loop pauses
   THINK seconds.
4. Rescoring phase, the same loops meanwhile: the Sales Administrator edits
   the points of the rule "Campaign 1" over JSON-RPC, then the cron "Lead
   Scoring: recompute" is triggered (``ir.cron._trigger``) for the cron worker;
   the phase ends when no cron of lead_scoring is due any more (whatever the
   rule write queued included).

What it measures (the table of tests/bench/run.py):

- calls, p50 and p95 latency of the salespeople's calls idle and during the
  rescoring (calls started between the rule write and the end of the crons),
  and their ratio (bound 2x);
- the rule write's duration, the crons' duration after it;
- errors returned to the salespeople and to the administrator (bound 0),
  values read back differing from those just written (bound 0), lost writes:
  each value a salesperson wrote last that the database does not hold in the
  end (bound 0);
- sessions seen waiting on a lock (pg_stat_activity sampled every 0.25 s);
- deadlocks and serialization failures in the PostgreSQL log (BENCH_PG_LOG,
  given by tests/workspace.sh for its own cluster) and in the Odoo log (bound 0);
- in the end, the leads whose score differs from the hand-written SQL floor's
  (``bench_scoring._floor_matches`` with the rules' points as stored; bound 0).
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from bench_scoring import (
    Data,
    _commit,
    _floor_matches,
    _ours,
    _scope_sql,
    defer_scoring,
)

LEADS = 1_000_000
SALESPEOPLE = 8
PASSWORD = "bench-concurrency"
EDITED_RULE, EDITED_POINTS = "Campaign 1", 9
CONVERT_EVERY = 5
IDLE_SECONDS = 60
THINK = 1.0  # seconds a salesperson pauses between two loops
WARM_UP = 3.0  # seconds of loops before the rule write
MAX_SECONDS = 3600  # the rescoring phase stops after this, finished or not
CALL_TIMEOUT = 900

BOUND_LATENCY = 2.0

QUALIFIED = {
    "bant_budget": "yes",
    "bant_authority": "decision_maker",
    "bant_need": "identified",
}
LOG_PATTERNS = {
    "deadlocks": re.compile(r"deadlock detected|DEADLOCK_DETECTED"),
    "serialization failures": re.compile(
        r"could not serialize|concurrent update|SERIALIZATION_FAILURE"
    ),
    "row locks not obtained (NOWAIT)": re.compile(
        r"could not obtain lock|LOCK_NOT_AVAILABLE"
    ),
}


# ---------------------------------------------------------------------------
# JSON-RPC client
# ---------------------------------------------------------------------------


class RpcError(Exception):
    pass


class Client:
    """One user's web session: the JSON-RPC calls the web client makes."""

    def __init__(self, url, db, login):
        self.url, self.db, self.login = url, db, login
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.uid = self._post(
            "/web/session/authenticate",
            {"db": db, "login": login, "password": PASSWORD},
        )["uid"]

    def _post(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.url + path,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=CALL_TIMEOUT) as response:
                answer = json.load(response)
        except (OSError, urllib.error.URLError, ValueError) as error:
            raise RpcError(f"{type(error).__name__}: {error}") from error
        if "error" in answer:
            error = answer["error"]
            raise RpcError((error.get("data") or {}).get("message") or str(error))
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self._post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


# ---------------------------------------------------------------------------
# salespeople
# ---------------------------------------------------------------------------


class Salesperson(threading.Thread):
    """Loops over a salesperson's work until ``stop`` is set, timing each
    call; remembers the last value written to each field of each lead."""

    def __init__(self, client, data, index, existing_ids):
        super().__init__(name=f"salesperson-{index}", daemon=True)
        self.client, self.data, self.index = client, data, index
        self.existing_ids = existing_ids
        self.clock = time.perf_counter()  # reset when the phase starts
        self.stop = threading.Event()
        self.calls = []  # (start, seconds, model.method, error message or None)
        self.written = {}  # lead id: {field: value written last}
        self.mismatches = []
        self.step = 0

    def _call(self, model, method, *args, **kwargs):
        start, name = time.perf_counter(), f"{model}.{method}"
        try:
            result = self.client.call(model, method, *args, **kwargs)
        except RpcError as error:
            seconds = time.perf_counter() - start
            self.calls.append((start - self.clock, seconds, name, f"{name}: {error}"))
            return None, False
        seconds = time.perf_counter() - start
        self.calls.append((start - self.clock, seconds, name, None))
        return result, True

    def _values(self):
        data, step = self.data, self.index * 7919 + self.step
        return {
            "country_id": data.countries[step % len(data.countries)].id,
            "campaign_id": data.campaigns[step % 6].id,
            "expected_revenue": float((step * 7919) % 200000),
            "tag_ids": sorted(data.tags[step % 6 : step % 6 + 1 + step % 2].ids),
        }

    def _write(self, lead_id, values):
        vals = dict(values)
        if "tag_ids" in vals:
            vals["tag_ids"] = [(6, 0, vals["tag_ids"])]
        __, ok = self._call("crm.lead", "write", [lead_id], vals)
        if ok:
            self.written.setdefault(lead_id, {}).update(values)
        return ok

    def _loop(self):
        data, uid, step = self.data, self.client.uid, self.step
        name = f"Bench concurrency {self.index}-{step}"
        lead_id, ok = self._call(
            "crm.lead",
            "create",
            {
                "name": name,
                "type": "lead",
                "email_from": f"sales{self.index}.{step}@company{step % 50}.vn",
                "partner_name": f"{name} company",
                "contact_name": f"Contact {self.index}-{step}",
                "user_id": uid,
                "team_id": data.teams[self.index % 3].id,
                **QUALIFIED,
                **self._values(),
            },
        )
        if not ok:
            return
        self.step += 1
        values = self._values()
        self._write(lead_id, values)
        if self.existing_ids:
            self._write(self.existing_ids[step % len(self.existing_ids)], values)
        stage_id = data.stages[step % len(data.stages)].id
        self._write(lead_id, {"stage_id": stage_id})
        fields = sorted(self.written.get(lead_id, {}))
        records, ok = self._call("crm.lead", "read", [lead_id], fields)
        if ok:
            self._check_read(lead_id, records[0])
        if step % CONVERT_EVERY == 0:
            context = {
                "active_model": "crm.lead",
                "active_id": lead_id,
                "active_ids": [lead_id],
            }
            wizard_id, ok = self._call(
                "crm.lead2opportunity.partner",
                "create",
                {"name": "convert", "action": "create"},
                context=context,
            )
            if ok:
                __, ok = self._call(
                    "crm.lead2opportunity.partner",
                    "action_apply",
                    [wizard_id],
                    context=context,
                )
                if ok:
                    self.written[lead_id]["type"] = "opportunity"

    def _check_read(self, lead_id, record):
        for field, value in self.written.get(lead_id, {}).items():
            got = record[field]
            if isinstance(got, list) and field != "tag_ids":
                got = got[0] if got else False  # many2one: (id, name)
            if field == "tag_ids":
                got = sorted(got)
            if got != value:
                self.mismatches.append((lead_id, field, value, got))

    def run(self):
        deadline = time.monotonic() + MAX_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline:
            self._loop()
            self.stop.wait(THINK)


# ---------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """odoo-bin with 2 HTTP workers and a cron worker on the database."""

    def __init__(self, config, database, logfile):
        import odoo  # noqa: PLC0415 - the Odoo run.py loaded

        self.port = int(os.environ.get("HTTP_PORT") or 0) or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = logfile
        odoo_bin = os.path.join(
            os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin"
        )
        command = [
            sys.executable,
            odoo_bin,
            "-c",
            config,
            "-d",
            database,
            f"--db-filter=^{database}$",
            "--workers=2",
            "--max-cron-threads=1",
            f"--http-port={self.port}",
            f"--gevent-port={_free_port()}",
            f"--logfile={logfile}",
            "--log-level=info",
        ]
        if os.path.exists(logfile):
            os.remove(logfile)
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"odoo-bin stopped, see {self.logfile}")
            try:
                with urllib.request.urlopen(self.url + "/web/health", timeout=5):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(
            f"odoo-bin did not answer in {timeout} s, see {self.logfile}"
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------------------
# set-up and checks in SQL
# ---------------------------------------------------------------------------


def _setup(env, leads):
    """Leads, rules, scores, users: committed."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    Rule = defer_scoring(env["crm.lead.scoring.rule"])
    Rule.with_context(active_test=False).search([]).write({"active": False})
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
    _ours(env)
    Users = env["res.users"].with_context(no_reset_password=True)
    salesman = env.ref("sales_team.group_sale_salesman_all_leads")
    logins = [f"bench_conc_sales_{index}" for index in range(SALESPEOPLE)]
    Users.create(
        [
            {
                "name": f"Bench concurrency salesperson {index}",
                "login": login,
                "email": f"{login}@example.com",
                "password": PASSWORD,
                "groups_id": [(4, salesman.id)],
            }
            for index, login in enumerate(logins)
        ]
        + [
            {
                "name": "Bench concurrency sales administrator",
                "login": "bench_conc_admin",
                "email": "bench_conc_admin@example.com",
                "password": PASSWORD,
                "groups_id": [(4, env.ref("sales_team.group_sale_manager").id)],
            }
        ]
    )
    # existing leads the rule edit rescores, a share for each salesperson
    edited = rules.filtered(lambda rule: rule.name == EDITED_RULE)
    env.cr.execute(
        f"SELECT l.id FROM crm_lead l WHERE {_scope_sql(data)}"
        " AND l.type = 'lead' AND l.campaign_id = %s ORDER BY l.id LIMIT %s",
        [data.campaigns[0].id, SALESPEOPLE * 50],
    )
    existing = [row[0] for row in env.cr.fetchall()]
    # crm's lead enrichment off ("on demand" in the settings): each lead
    # created would trigger its cron, which locks leads and calls Odoo's servers
    env["ir.config_parameter"].set_param("crm.iap.lead.enrich.setting", "manual")
    enrich = env.ref("crm_iap_enrich.ir_cron_lead_enrichment", raise_if_not_found=False)
    if enrich:
        enrich.active = False
    # a new database has every cron due at once: the other crons run tomorrow
    env.cr.execute(
        """
        UPDATE ir_cron SET nextcall = (now() at time zone 'UTC') + interval '1 day'
         WHERE id NOT IN (SELECT res_id FROM ir_model_data
                           WHERE model = 'ir.cron' AND module = 'lead_scoring')
        """
    )
    _commit(env)
    return data, specs, rules, edited, logins, existing


def _lead_scoring_crons_due(cr):
    """Ids of lead_scoring's crons due now (their nextcall or a trigger)."""
    cr.execute(
        """
        SELECT c.id FROM ir_cron c
          JOIN ir_model_data d
            ON d.model = 'ir.cron' AND d.res_id = c.id AND d.module = 'lead_scoring'
         WHERE c.active
           AND (c.nextcall <= now() at time zone 'UTC'
                OR EXISTS (SELECT 1 FROM ir_cron_trigger t WHERE t.cron_id = c.id
                            AND t.call_at <= now() at time zone 'UTC'))
        """
    )
    return [row[0] for row in cr.fetchall()]


def _score_differences(env, data, specs, rules):
    """(count, a few examples) of the leads in scope whose score is not the
    floor's total with the rules' points as stored now."""
    cr = env.cr
    cr.execute(
        "SELECT id, points FROM crm_lead_scoring_rule WHERE id IN %s",
        [tuple(rules.ids)],
    )
    points = dict(cr.fetchall())
    _floor_matches(env, data, specs, [points[rule.id] for rule in rules])
    cr.execute(
        f"""
        CREATE TEMPORARY TABLE bench_expected AS
        SELECT l.id AS lead_id, COALESCE(SUM(m.points), 0) AS score
          FROM crm_lead l LEFT JOIN bench_match m ON m.lead_id = l.id
         WHERE {_scope_sql(data)} GROUP BY l.id
        """
    )
    cr.execute(
        """
        SELECT l.id, l.name, COALESCE(s.score, 0), e.score
          FROM bench_expected e JOIN crm_lead l ON l.id = e.lead_id
          LEFT JOIN crm_lead_score s ON s.lead_id = l.id
         WHERE COALESCE(s.score, 0) IS DISTINCT FROM e.score ORDER BY l.id
        """
    )
    rows = cr.fetchall()
    cr.execute("DROP TABLE bench_match, bench_expected")
    return len(rows), rows[:5]


def _lost_writes(env, salespeople):
    """The values salespeople wrote last that the database does not hold."""
    written = {}
    for person in salespeople:
        written.update(person.written)
    if not written:
        return []
    env.cr.execute(
        """
        SELECT l.id, l.country_id, l.campaign_id, l.expected_revenue::float,
               l.stage_id, l.type,
               ARRAY(SELECT r.tag_id FROM crm_tag_rel r WHERE r.lead_id = l.id
                      ORDER BY r.tag_id)
          FROM crm_lead l WHERE l.id IN %s
        """,
        [tuple(written)],
    )
    names = (
        "country_id",
        "campaign_id",
        "expected_revenue",
        "stage_id",
        "type",
        "tag_ids",
    )
    stored = {
        row[0]: dict(zip(names, row[1:], strict=True)) for row in env.cr.fetchall()
    }
    return [
        (lead_id, field, value, stored.get(lead_id, {}).get(field))
        for lead_id, values in written.items()
        for field, value in values.items()
        if stored.get(lead_id, {}).get(field) != value
    ]


def _log_counts(path, offset=0):
    """{pattern name: lines} of the log from ``offset``; None without a log."""
    if not path or not os.path.exists(path):
        return None
    counts = dict.fromkeys(LOG_PATTERNS, 0)
    with open(path, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            for name, pattern in LOG_PATTERNS.items():
                if pattern.search(line):
                    counts[name] += 1
    return counts


def _size(path):
    return os.path.getsize(path) if path and os.path.exists(path) else 0


# ---------------------------------------------------------------------------
# phases
# ---------------------------------------------------------------------------


class LockMonitor(threading.Thread):
    """Samples the sessions of the database waiting on a lock."""

    def __init__(self, registry):
        super().__init__(name="lock-monitor", daemon=True)
        self.registry = registry
        self.stop = threading.Event()
        self.samples = self.waiting_samples = self.max_waiting = 0

    def run(self):
        with self.registry.cursor() as cr:
            while not self.stop.wait(0.25):
                cr.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                waiting = cr.fetchone()[0]
                cr.rollback()
                self.samples += 1
                self.waiting_samples += bool(waiting)
                self.max_waiting = max(self.max_waiting, waiting)


def _salespeople(server, db, data, logins, existing):
    """The salespeople logged in, each with a share of ``existing``."""
    share = max(len(existing) // len(logins), 1)
    return [
        Salesperson(
            Client(server.url, db, login),
            data,
            index,
            existing[index * share : (index + 1) * share],
        )
        for index, login in enumerate(logins)
    ]


def _run_salespeople(people, during):
    """Start the salespeople, run ``during(clock)`` (a sleep or the
    rescoring), stop them; return the people and what ``during`` returned."""
    clock = time.perf_counter()
    for person in people:
        person.clock = clock
        person.start()
    try:
        window = during(clock)
    finally:
        for person in people:
            person.stop.set()
        for person in people:
            person.join()
    return people, window


def _rescore(env, server, db, edited, results):
    """The rescoring: the rule write over JSON-RPC, then the cron; return a
    function for _run_salespeople giving the (start, end) of the rescoring."""
    admin = Client(server.url, db, "bench_conc_admin")

    def during(clock):
        time.sleep(WARM_UP)
        start = time.perf_counter()
        try:
            admin.call(
                "crm.lead.scoring.rule", "write", edited.ids, {"points": EDITED_POINTS}
            )
            results["admin errors"] = 0
        except RpcError as error:
            results["admin errors"] = 1
            print(f"    the administrator's rule write failed: {error}", flush=True)
        results["rule write"] = time.perf_counter() - start
        cron_start = time.perf_counter()
        env.ref("lead_scoring.ir_cron_lead_scoring_recompute")._trigger()
        env.cr.commit()  # notifies the cron worker
        deadline = time.monotonic() + MAX_SECONDS
        results["finished"] = False
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with env.registry.cursor() as cr:
                if not _lead_scoring_crons_due(cr):
                    results["finished"] = True
                    break
        end = time.perf_counter()
        results["crons"] = end - cron_start
        return start - clock, end - clock

    return during


def _latencies(people, window=None, call=None):
    """Durations of the calls (started within ``window``, of ``call`` only
    when given), errors."""
    durations, errors = [], []
    for person in people:
        for start, seconds, name, error in person.calls:
            if window and not window[0] <= start <= window[1]:
                continue
            if call and name != call:
                continue
            durations.append(seconds)
            if error:
                errors.append(error)
    return sorted(durations), errors


def _percentile(values, fraction):
    if not values:
        return 0.0
    return values[min(int(fraction * len(values)), len(values) - 1)]


def measure(env, config, leads, idle_seconds):
    db = env.cr.dbname
    print(f"  setting up {leads} leads ...", flush=True)
    data, specs, rules, edited, logins, existing = _setup(env, leads)
    results = [
        ("data: leads", leads, "leads", None, True),
        ("data: rules", len(rules), "rules", None, True),
        ("data: salespeople", len(logins), "users", None, True),
    ]
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_log = os.path.join(odoo_config["data_dir"], "bench-concurrency-odoo.log")
    pg_log = os.environ.get("BENCH_PG_LOG")
    pg_offset = _size(pg_log)
    server = Server(config, db, odoo_log)
    monitor = LockMonitor(env.registry)
    try:
        server.wait_ready()
        print(
            f"  odoo-bin --workers 2 --max-cron-threads 1 on {server.url}", flush=True
        )
        print(f"  idle phase ({idle_seconds} s) ...", flush=True)
        idle, __ = _run_salespeople(
            _salespeople(server, db, data, logins, existing),
            lambda clock: time.sleep(idle_seconds),
        )
        print("  rescoring phase ...", flush=True)
        timing = {}
        monitor.start()
        busy, window = _run_salespeople(
            _salespeople(server, db, data, logins, existing),
            _rescore(env, server, db, edited, timing),
        )
        monitor.stop.set()
        monitor.join()
    finally:
        server.stop()
    env.invalidate_all()
    # the idle phase's first seconds warm the workers up: not measured
    idle_times = _latencies(idle, (WARM_UP, float("inf")))[0]
    busy_times, busy_errors = _latencies(busy, window)
    __, all_busy_errors = _latencies(busy)
    errors = _latencies(idle)[1] + all_busy_errors
    mismatches = [m for person in idle + busy for m in person.mismatches]
    lost = _lost_writes(env, idle + busy)
    differences, examples = _score_differences(env, data, specs, rules)
    pg_counts = _log_counts(pg_log, pg_offset)
    odoo_counts = _log_counts(odoo_log)
    p50 = [_percentile(times, 0.5) * 1000 for times in (idle_times, busy_times)]
    p95 = [_percentile(times, 0.95) * 1000 for times in (idle_times, busy_times)]
    ratio50 = p50[1] / p50[0] if p50[0] else 0.0
    ratio95 = p95[1] / p95[0] if p95[0] else 0.0
    results += [
        ("idle: calls", len(idle_times), "calls", None, True),
        ("idle: latency p50", p50[0], "ms", None, True),
        ("idle: latency p95", p95[0], "ms", None, True),
        ("rescoring: rule write over JSON-RPC", timing["rule write"], "s", None, True),
        ("rescoring: crons after the rule write", timing["crons"], "s", None, True),
        (
            "rescoring: finished (no lead_scoring cron due)",
            "yes" if timing["finished"] else "no",
            "",
            "yes",
            timing["finished"],
        ),
        ("rescoring: calls started during it", len(busy_times), "calls", None, True),
        ("rescoring: latency p50", p50[1], "ms", None, True),
        ("rescoring: latency p95", p95[1], "ms", None, True),
        (
            "latency p50: rescoring vs idle",
            ratio50,
            "x",
            BOUND_LATENCY,
            ratio50 <= BOUND_LATENCY,
        ),
        (
            "latency p95: rescoring vs idle",
            ratio95,
            "x",
            BOUND_LATENCY,
            ratio95 <= BOUND_LATENCY,
        ),
        ("errors returned to the salespeople", len(errors), "calls", 0, not errors),
        (
            "errors returned to the administrator",
            timing["admin errors"],
            "calls",
            0,
            not timing["admin errors"],
        ),
        (
            "values read back differing from written",
            len(mismatches),
            "values",
            0,
            not mismatches,
        ),
        ("lost writes", len(lost), "values", 0, not lost),
        (
            "lock waits: samples with a session waiting",
            f"{monitor.waiting_samples}/{monitor.samples}",
            "",
            None,
            True,
        ),
        (
            "lock waits: most sessions waiting at once",
            monitor.max_waiting,
            "",
            None,
            True,
        ),
    ]
    for source, counts in (("PostgreSQL log", pg_counts), ("Odoo log", odoo_counts)):
        if counts is None:
            results.append((f"{source}: not available", "-", "", None, True))
            continue
        for name, count in counts.items():
            bounded = "NOWAIT" not in name
            results.append(
                (
                    f"{source}: {name}",
                    count,
                    "lines",
                    0 if bounded else None,
                    count == 0 or not bounded,
                )
            )
    results.append(
        (
            "leads whose score differs from the SQL floor",
            differences,
            "leads",
            0,
            not differences,
        )
    )
    _print_details(
        idle, busy, window, errors=errors, wrong=mismatches + lost, examples=examples
    )
    print(f"  Odoo log: {odoo_log}", flush=True)
    return results


def _print_details(idle, busy, window, *, errors, wrong, examples):
    """Latency by call and what went wrong, for the reader (not in the table)."""
    calls = sorted({call[2] for person in idle + busy for call in person.calls})
    for call in calls:
        idle_times = _latencies(idle, (WARM_UP, float("inf")), call=call)[0]
        busy_times = _latencies(busy, window, call=call)[0]
        print(
            f"  {call}: p50 {_percentile(idle_times, 0.5) * 1000:.0f} ms idle"
            f" ({len(idle_times)} calls), {_percentile(busy_times, 0.5) * 1000:.0f} ms"
            f" during the rescoring ({len(busy_times)} calls)",
            flush=True,
        )
    distinct = {}
    for error in errors:
        distinct[error] = distinct.get(error, 0) + 1
    for error, count in sorted(distinct.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {error[:300]}", flush=True)
    for lead_id, field, wrote, got in wrong[:10]:
        print(f"  lead {lead_id}: {field} written {wrote!r}, found {got!r}", flush=True)
    for lead_id, name, score, expected in examples:
        print(f"  lead {lead_id} ({name}): score {score}, floor {expected}", flush=True)


def run(env, config, leads=LEADS, idle_seconds=IDLE_SECONDS):
    """Entry point of tests/bench/run.py: the figures measured, as a list of
    (name, value, unit, bound, ok)."""
    return measure(env, config, leads, idle_seconds)
