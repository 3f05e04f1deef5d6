"""The engagement rules at scale: 1,000,000 leads with 10,000,000 page
visits, 3,000,000 e-mails and 1,000,000 done activities, scored by 10 fit
and 10 engagement rules.

Run alone (it makes its own data: run it on a database made for the
benchmark, as `make bench` does; the benchmark database gets website_crm,
and with it lead_scoring_website, for the page visits):

    make bench ARGS="--only engagement"

The scoring benchmark's leads (``bench_scoring.Data``) and its first 10
rules as fit rules; the events inserted in SQL (setting up, not measured):
a website visitor for every other lead with 20 page views each over the
past 90 days (pricing, demo, blog and other pages), 3 e-mails per lead over
the past 90 days (received from the customer or sent to it), one call or
meeting done per lead. Measured, each after a commit and VACUUM ANALYZE:

- the first scoring of every lead with the fit rules alone
  (``crm.lead._scoring_rescore()``), the reference;
- the first scoring with the 10 fit and 10 engagement rules: its time
  against the fit-only one (bound ``BOUND_FIRST``), the peak memory of the
  process (bound ``BOUND_MEMORY`` MB above its start);
- a day later (every event dated a day earlier, as a day passing does): the
  nightly pass (``crm.lead._cron_recompute_lead_scores()``, which marks the
  leads whose engagement points fade or leave a window) and the background
  rescoring of the marked leads, batch by batch until none is left, as the
  scheduled action runs it: its total time against the first scoring with
  every rule (bound ``BOUND_DAILY``), the leads it rescored and the scores
  that differ from a full recompute after it (0).
"""

import os
import threading
import time
import urllib.request
from http.cookiejar import CookieJar

from bench_concurrency import Server
from bench_scale import _insert_leads
from bench_scoring import (
    Data,
    _commit,
    _memory_kb,
    _ours,
    _reset_scores,
    _timed,
    add_bench_columns,
    defer_scoring,
)

LEADS = 1_000_000
VISITS_PER_VISITOR = 20  # one visitor for every other lead: 10 per lead
EMAILS_PER_LEAD = 3
BOUND_FIRST = 2.0  # every rule vs the fit rules alone
BOUND_DAILY = 0.3  # the daily fading pass vs the first scoring
BOUND_MEMORY = 300  # MB above the start of the first scoring

PAGES = ["/pricing", "/demo", "/blog/lead-scoring", "/", "/contactus"]


def engagement_rules(env):
    """10 engagement rules over the four event types."""
    call = env.ref("mail.mail_activity_data_call").id
    meeting = env.ref("mail.mail_activity_data_meeting").id

    def rule(name, points, event_type, **values):
        return dict(
            name=name,
            points=points,
            rule_type="engagement",
            event_type=event_type,
            company_id=False,
            **values,
        )

    return [
        rule(
            "Pricing this week",
            30,
            "page_visit",
            event_url="/pricing",
            event_window_days=7,
            decay_half_life_days=3,
        ),
        rule(
            "Demo twice this month",
            20,
            "page_visit",
            event_url="/demo",
            event_min_count=2,
            event_window_days=30,
        ),
        rule(
            "Five pages this month",
            10,
            "page_visit",
            event_min_count=5,
            event_window_days=30,
        ),
        rule(
            "Blog reader", 5, "page_visit", event_url="/blog", decay_half_life_days=14
        ),
        rule(
            "Wrote this month",
            20,
            "email_received",
            event_window_days=30,
            decay_half_life_days=14,
        ),
        rule("Wrote three times", 10, "email_received", event_min_count=3),
        rule("We wrote this fortnight", 5, "email_sent", event_window_days=14),
        rule(
            "Chased without answer",
            -5,
            "email_sent",
            event_min_count=3,
            event_window_days=60,
        ),
        rule(
            "Call done",
            10,
            "activity_done",
            event_activity_type_id=call,
            decay_half_life_days=30,
        ),
        rule(
            "Meeting done",
            25,
            "activity_done",
            event_activity_type_id=meeting,
            decay_half_life_days=30,
        ),
    ]


def _vacuum(env, tables):
    env.cr.commit()
    cnx = env.cr._cnx
    cnx.autocommit = True
    try:
        with cnx.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {tables}")
    finally:
        cnx.autocommit = False


def _without_indexes(env, table, function):
    """Run ``function`` with the indexes of ``table`` (but its constraints')
    dropped, then rebuild them: a bulk load is that much faster."""
    cr = env.cr
    cr.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.tablename = %s AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [table],
    )
    indexes = cr.fetchall()
    for name, __ in indexes:
        cr.execute(f'DROP INDEX "{name}"')
    function()
    for __, definition in indexes:
        cr.execute(definition)


def insert_events(env):
    """The events of the leads, in SQL (setting up, not measured)."""
    cr = env.cr
    website = env["website"].search([], limit=1)
    comment = env.ref("mail.mt_comment").id
    activities = env.ref("mail.mt_activities").id
    call = env.ref("mail.mail_activity_data_call").id
    meeting = env.ref("mail.mail_activity_data_meeting").id
    author = env.ref("base.user_admin").partner_id.id

    def visits():
        cr.execute(
            """
            INSERT INTO website_visitor (access_token, website_id, visit_count,
                   last_connection_datetime, create_date, write_date)
            SELECT md5('bench-' || l.id), %s, 1, now() at time zone 'UTC',
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM crm_lead l WHERE l.id %% 2 = 0;
            INSERT INTO crm_lead_website_visitor_rel (crm_lead_id, website_visitor_id)
            SELECT l.id, v.id FROM crm_lead l
              JOIN website_visitor v ON v.access_token = md5('bench-' || l.id)
             WHERE l.id %% 2 = 0;
            """,
            [website.id],
        )
        cr.execute(
            """
            INSERT INTO website_track (visitor_id, url, visit_datetime)
            SELECT v.id, 'https://shop.example' || (%(pages)s::text[])[
                       1 + ((v.id::bigint * 31 + n * 7) %% 5)],
                   now() at time zone 'UTC'
                       - ((v.id::bigint * 13 + n * 101) %% 2160) * interval '1 hour'
              FROM website_visitor v, generate_series(1, %(visits)s) AS n
            """,
            {"pages": PAGES, "visits": VISITS_PER_VISITOR},
        )

    def messages():
        cr.execute(
            """
            INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                   author_id, date, body)
            SELECT 'crm.lead', l.id,
                   CASE WHEN (l.id + n) %% 2 = 0 THEN 'email' ELSE 'comment' END,
                   %(comment)s,
                   CASE WHEN (l.id + n) %% 2 = 0 THEN NULL ELSE %(author)s END,
                   now() at time zone 'UTC'
                       - ((l.id::bigint * 17 + n * 53) %% 2160) * interval '1 hour',
                   '<p>Bench</p>'
              FROM crm_lead l, generate_series(1, %(emails)s) AS n;
            INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                   author_id, mail_activity_type_id, date, body)
            SELECT 'crm.lead', l.id, 'notification', %(activities)s, %(author)s,
                   CASE WHEN l.id %% 3 = 0 THEN %(meeting)s ELSE %(call)s END,
                   now() at time zone 'UTC'
                       - ((l.id::bigint * 29) %% 2160) * interval '1 hour',
                   '<p>Done</p>'
              FROM crm_lead l
            """,
            {
                "comment": comment,
                "author": author,
                "emails": EMAILS_PER_LEAD,
                "activities": activities,
                "meeting": meeting,
                "call": call,
            },
        )

    _without_indexes(env, "website_track", visits)
    _without_indexes(env, "mail_message", messages)
    _commit(env)
    _vacuum(env, "website_visitor, website_track, mail_message")
    counts = {}
    for table, where in (
        ("website_track", "TRUE"),
        ("mail_message", "model = 'crm.lead' AND mail_activity_type_id IS NULL"),
        ("mail_message", "model = 'crm.lead' AND mail_activity_type_id IS NOT NULL"),
    ):
        cr.execute(f"SELECT count(*) FROM {table} WHERE {where}")  # noqa: S608
        counts.setdefault(table, []).append(cr.fetchone()[0])
    return counts["website_track"][0], *counts["mail_message"]


def _age_events(env, days=1):
    """Every date of the events, and of what the scoring kept of them,
    ``days`` earlier, as that many days passing do (setting up, not
    measured)."""
    env.cr.execute(
        "UPDATE website_track"
        " SET visit_datetime = visit_datetime - make_interval(days => %s)",
        [days],
    )
    # the addons' path is known once Odoo's configuration is read
    from odoo.addons.lead_scoring.models.crm_lead_score import (  # noqa: PLC0415
        days_pass_sql,
    )

    env.cr.execute(days_pass_sql(days))
    _commit(env)
    _vacuum(env, "website_track, mail_message")


def _daily(env):
    """The nightly pass, then the background rescoring of the leads it
    marked, batch by batch (each committed, as the scheduled action does)."""
    Event = env["crm.lead.scoring.event"]
    env["crm.lead"]._cron_recompute_lead_scores()
    env.cr.execute("SELECT count(DISTINCT lead_id) FROM crm_lead_scoring_event")
    marked = env.cr.fetchone()[0]
    env.cr.commit()
    batches = 0
    while True:
        env.cr.execute("SELECT 1 FROM crm_lead_scoring_event LIMIT 1")
        if not env.cr.fetchone():
            break
        Event._cron_rescore_marked_leads()
        env.flush_all()
        env.cr.commit()
        batches += 1
    return marked, batches


def _differences(env):
    """Leads whose stored scores differ from a full recompute now (the
    recompute rolled back)."""
    env.cr.execute(
        "CREATE TEMPORARY TABLE bench_scores AS"
        " SELECT lead_id, score, fit_score, engagement_score FROM crm_lead_score"
    )
    env["crm.lead"]._scoring_rescore()
    env.flush_all()
    env.cr.execute(
        """
        SELECT count(*) FROM crm_lead_score s
          FULL JOIN bench_scores b ON b.lead_id = s.lead_id
         WHERE (s.score, s.fit_score, s.engagement_score)
               IS DISTINCT FROM (b.score, b.fit_score, b.engagement_score)
        """
    )
    differences = env.cr.fetchone()[0]
    env.cr.rollback()
    return differences


def measure(env, leads=LEADS):
    """Run the measures; return a list of (name, value, unit, bound, ok)."""
    env = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))
    if (
        "page_visit"
        not in dict(env["crm.lead.scoring.rule"]._fields["event_type"].selection)
        or env["crm.lead.scoring.rule"]._get_scoring_event_rows("page_visit") is None
    ):
        raise RuntimeError(
            "the engagement benchmark needs lead_scoring_website (website_crm)"
        )
    Rule = env["crm.lead.scoring.rule"]
    add_bench_columns(env)
    data = Data(env)
    Rule.with_context(active_test=False).search([]).write({"active": False})
    fit = Rule.create(
        [
            {"name": name, "points": points, "domain": domain}
            for name, points, domain, __ in data.rules()[:10]
        ]
    )
    engagement = defer_scoring(Rule).create(engagement_rules(env))
    defer_scoring(engagement).write({"active": False})
    _commit(env)
    start = time.perf_counter()
    _insert_leads(env, data, leads)
    visits, emails, activities = insert_events(env)
    print(
        f"  {leads} leads, {visits} page visits, {emails} e-mails, {activities}"
        f" activities done inserted ({time.perf_counter() - start:.0f} s)",
        flush=True,
    )
    env.cr.execute("DELETE FROM crm_lead_scoring_event")
    _reset_scores(env)
    first_fit = _timed(env, _ours)
    _commit(env)
    defer_scoring(engagement).write({"active": True})
    _reset_scores(env)
    rss_start = _memory_kb("VmRSS")
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")
    first = _timed(env, _ours)
    peak_mb = max(_memory_kb("VmHWM") - rss_start, 0) / 1024
    _commit(env)
    env.cr.execute("SELECT count(*) FROM crm_lead_score WHERE engagement_score <> 0")
    engaged = env.cr.fetchone()[0]
    _age_events(env)
    start = time.perf_counter()
    marked, batches = _daily(env)
    daily = time.perf_counter() - start
    _commit(env)
    differences = _differences(env)
    label = f"{leads:,}"
    return [
        (
            "data: fit / engagement rules",
            f"{len(fit)} / {len(engagement)}",
            "",
            None,
            True,
        ),
        (
            f"{label}: page visits / e-mails / activities done",
            f"{visits:,} / {emails:,} / {activities:,}",
            "",
            None,
            True,
        ),
        (f"{label}: leads with engagement points", engaged, "leads", None, True),
        (f"{label}: first scoring, fit rules alone", first_fit, "s", None, True),
        (f"{label}: first scoring, fit and engagement rules", first, "s", None, True),
        (
            f"{label}: first scoring, every rule vs fit rules alone",
            first / first_fit,
            "x",
            BOUND_FIRST,
            first / first_fit <= BOUND_FIRST,
        ),
        (
            f"{label}: peak memory of the first scoring",
            peak_mb,
            "MB",
            BOUND_MEMORY,
            peak_mb <= BOUND_MEMORY,
        ),
        (
            f"{label}: daily fading pass ({marked:,} leads marked, {batches} batches)",
            daily,
            "s",
            None,
            True,
        ),
        (
            f"{label}: daily fading pass vs first scoring",
            daily / first,
            "x",
            BOUND_DAILY,
            daily / first <= BOUND_DAILY,
        ),
        (
            f"{label}: scores differing from a full recompute after the daily pass",
            differences,
            "leads",
            0,
            differences == 0,
        ),
    ]


def run(env, leads=LEADS, config=None):
    """Entry point of tests/bench/run.py. The data is committed: run it on a
    database made for the benchmark."""
    results = measure(env, leads=leads)
    for row in results:  # printed at once: the server's part runs long
        print(f"  {row[0]}: {row[1]} {row[2]}", flush=True)
    if config:
        try:
            results += measure_server(env, config, env.cr.dbname)
        except Exception as error:  # noqa: BLE001 - reported as a failed figure
            env.cr.rollback()
            results.append(("server part", repr(error)[:200], "", "no error", False))
    return results


# ---------------------------------------------------------------------------
# a running server: a burst of events, page requests
# ---------------------------------------------------------------------------

BURST_RATE = 200  # events per second
BURST_SECONDS = 60
BURST_THREADS = 4
BOUND_FRESH = 60  # seconds from an event to its lead's rescoring
PAGE_REQUESTS = 1000  # per variant, in blocks alternating the variants
PAGE_BLOCKS = 20  # blocks: 10 of each variant
PAGE_WARMUP = 10  # requests not counted after each change of the variant
BOUND_PAGE = 1.05  # p95 of a tracked page with page visit rules vs without


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


def _burst(env, registry):
    """BURST_RATE page views per second for BURST_SECONDS from BURST_THREADS
    threads, each its own database connection committing each view through
    the ORM (``website.track.create``, which marks the visitor's leads and
    triggers the rescoring), while the server's cron worker rescores; a
    poller notes when each mark disappears. Returns (events sent, seconds,
    latencies of the marks seen, marks created, marks left at the end)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    env.cr.execute(
        """SELECT r.website_visitor_id FROM crm_lead_website_visitor_rel r
             JOIN crm_lead l ON l.id = r.crm_lead_id
            WHERE l.active ORDER BY r.crm_lead_id LIMIT 20000"""
    )
    visitors = [row[0] for row in env.cr.fetchall()]
    env.cr.execute("SELECT COALESCE(max(id), 0) FROM crm_lead_scoring_event")
    first_mark = env.cr.fetchone()[0]
    env.cr.commit()
    per_thread = BURST_RATE / BURST_THREADS
    start = time.monotonic()
    sent = [0] * BURST_THREADS

    def send(index):
        with registry.cursor() as cr:
            thread_env = api.Environment(cr, SUPERUSER_ID, {})
            Track = thread_env["website.track"]
            for number in range(int(per_thread * BURST_SECONDS)):
                due = start + number / per_thread
                delay = due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                visitor = visitors[(number * BURST_THREADS + index) % len(visitors)]
                Track.create(
                    {"visitor_id": visitor, "url": "https://shop.example/pricing"}
                )
                cr.commit()
                sent[index] += 1

    seen, latencies, done = {}, [], threading.Event()

    def poll():
        with registry.cursor() as cr:
            while not done.is_set():
                cr.execute(
                    "SELECT id, extract(epoch FROM date) FROM crm_lead_scoring_event"
                    " WHERE id > %s",
                    [first_mark],
                )
                now = time.time()
                pending = dict(cr.fetchall())
                cr.commit()
                for mark, marked in seen.items():
                    if mark not in pending and mark not in gone:
                        gone.add(mark)
                        latencies.append(now - float(marked))
                seen.update(pending)
                time.sleep(0.25)

    gone = set()
    threads = [
        threading.Thread(target=send, args=(index,)) for index in range(BURST_THREADS)
    ]
    poller = threading.Thread(target=poll)
    poller.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    # the marks left are rescored by the cron worker: wait for them
    deadline = time.monotonic() + 120
    left = None
    while time.monotonic() < deadline:
        env.cr.execute("SELECT count(*) FROM crm_lead_scoring_event")
        left = env.cr.fetchone()[0]
        env.cr.commit()
        if not left:
            break
        time.sleep(0.5)
    time.sleep(0.5)
    done.set()
    poller.join()
    env.cr.execute("SELECT last_value FROM crm_lead_scoring_event_id_seq")
    created = env.cr.fetchone()[0] - first_mark
    env.cr.commit()
    return sum(sent), elapsed, latencies, created, left


def _page_requests(env, server):
    """p95 of GET of a tracked page by a visitor linked to a lead, with the
    page visit rules active (each view marks the lead) and archived (the
    addon's hook reads a cached set and marks nothing), in alternating
    blocks. Returns (p95 with, p95 without)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar())
    )
    opener.addheaders = [("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench")]
    website = env["website"].search([], limit=1)
    view = env["ir.ui.view"].create(
        {
            "name": "Bench pricing",
            "type": "qweb",
            "key": "bench.pricing",
            "track": True,
            "arch": '<t t-name="bench.pricing"><t t-call="website.layout">'
            '<div id="wrap">Prices</div></t></t>',
        }
    )
    env["website.page"].create(
        {
            "view_id": view.id,
            "url": "/pricing",
            "website_id": website.id,
            "is_published": True,
        }
    )
    env.cr.commit()
    env.registry.signal_changes()
    url = f"{server.url}/pricing"
    visitors = set(env["website.visitor"].search([]).ids)
    opener.open(url).read()
    env.cr.commit()  # a new snapshot: the visitor the server made
    env.invalidate_all()
    visitor = env["website.visitor"].search([("id", "not in", list(visitors))])
    if len(visitor) != 1:
        raise RuntimeError(f"the page view made {len(visitor)} visitors, not 1")
    lead = env["crm.lead"].search([("active", "=", True)], limit=1)
    lead.visitor_ids = [(4, visitor.id)]
    env.cr.commit()
    rules = env["crm.lead.scoring.rule"].search([("event_type", "=", "page_visit")])
    timings = {True: [], False: []}
    for block in range(PAGE_BLOCKS):
        active = block % 2 == 0
        defer_scoring(rules).write({"active": active})
        env.cr.commit()
        env.registry.signal_changes()
        # the first requests after a change of the rules reload the
        # workers' caches (signalled by the registry): not counted
        for __ in range(PAGE_WARMUP):
            opener.open(url).read()
        for __ in range(PAGE_REQUESTS * 2 // PAGE_BLOCKS):
            start = time.perf_counter()
            opener.open(url).read()
            timings[active].append(time.perf_counter() - start)
    defer_scoring(rules).write({"active": True})
    env.cr.commit()
    env.registry.signal_changes()
    return _percentile(timings[True], 0.95), _percentile(timings[False], 0.95)


def measure_server(env, config, database):
    """The running server's figures: the burst and the page requests. The
    other scheduled actions are put off a day first, as on a server in its
    steady state: on a new database every one of them is due at the
    server's start (website's *Disable unused snippets assets* runs for
    minutes there), and the one cron thread would run them first."""
    cron = env.ref("lead_scoring.ir_cron_lead_scoring_events")
    env.cr.execute(
        "UPDATE ir_cron SET nextcall = now() at time zone 'UTC' + interval '1 day'"
        " WHERE id <> %s",
        [cron.id],
    )
    env.cr.execute("DELETE FROM ir_cron_trigger WHERE cron_id <> %s", [cron.id])
    env.cr.commit()
    logfile = os.path.join(
        os.path.dirname(os.path.abspath(config)), "bench-engagement.log"
    )
    server = Server(config, database, logfile)
    try:
        server.wait_ready()
        page_with, page_without = _page_requests(env, server)
        sent, elapsed, latencies, created, left = _burst(env, env.registry)
    finally:
        server.stop()
    p95 = _percentile(latencies, 0.95)
    worst = max(latencies) if latencies else 0
    return [
        (
            "burst: page views sent (rate)",
            f"{sent:,} in {elapsed:.0f} s ({sent / elapsed:.0f}/s)",
            "",
            None,
            True,
        ),
        (
            f"burst: event to rescoring, {len(latencies):,} of {created:,} marks seen",
            f"p95 {p95:.1f} / max {worst:.1f}",
            "s",
            BOUND_FRESH,
            worst <= BOUND_FRESH,
        ),
        ("burst: marks left after 120 s", left, "marks", 0, left == 0),
        (
            "tracked page request p95, page visit rules vs none",
            f"{page_with * 1000:.1f} / {page_without * 1000:.1f} ms",
            "",
            None,
            True,
        ),
        (
            "tracked page request p95 ratio",
            page_with / page_without,
            "x",
            BOUND_PAGE,
            page_with / page_without <= BOUND_PAGE,
        ),
    ]
