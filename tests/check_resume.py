"""A background rescoring killed mid-batch resumes: no half-applied batch.

On a throw-away database with lead_scoring installed without demo data
(copied from ``--template`` when given, else installed), creates leads and
scoring rules, sets a low ``lead_scoring.sync_rescore_limit`` and a small
``lead_scoring.rescore_batch_size``, and edits a rule so that the rescoring is
left to the cron. The cron then runs in another OS process, through Odoo's
own cron worker code (one committed batch per call), and is killed with
SIGKILL while a batch is in flight: this script holds a lock on a lead of a
later batch, waits until the batches before it are committed and the cron
waits on that lead, then kills it. Checked in SQL against scores computed
independently in SQL: every lead has its exact old or exact new score (the
new one exactly up to the stored progress), no lead has two history rows for
the rescoring, the progress lies between the first and the last lead. The
cron is run again to the end: every score is the new one, with exactly one
history row per lead.

    python tests/check_resume.py --config .run/odoo.conf --database lead_crm_resume

Exits non-zero on any failure.
"""

import argparse
import configparser
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dbtools import admin, connect, drop_database

LEADS = 3000
BATCH = 200
#: the lead held locked: in the 6th batch, after 5 committed batches
LOCKED_POSITION = 5 * BATCH + BATCH // 2

#: scores of the rules before and after the edit, in SQL, from the lead's
#: own columns (independent of the scoring code)
OLD_SCORE = (
    "(CASE WHEN expected_revenue >= 5000 THEN 5 ELSE 0 END"
    " + CASE WHEN priority IN ('2', '3') THEN 3 ELSE 0 END + 2)"
)
NEW_SCORE = (
    "(CASE WHEN expected_revenue >= 5000 THEN 5 ELSE 0 END"
    " + CASE WHEN priority IN ('2', '3') THEN 3 ELSE 0 END"
    " + CASE WHEN expected_revenue < 8000 THEN 9 ELSE 0 END)"
)

SETUP = f"""
params = env["ir.config_parameter"].sudo()
params.set_param("lead_scoring.sync_rescore_limit", 100000)
params.set_param("lead_scoring.rescore_batch_size", {BATCH})
Rule = env["crm.lead.scoring.rule"]
Rule.search([]).write({{"active": False}})
env["crm.lead"].search([]).write({{"active": False}})
Lead = env["crm.lead"].with_context(
    tracking_disable=True, mail_create_nolog=True, mail_notrack=True)
Lead.create([{{"name": f"Resume {{i}}", "type": "lead", "user_id": False,
               "expected_revenue": (i * 37) % 10000, "priority": str(i % 4)}}
              for i in range({LEADS})])
Rule.create([
    {{"name": "Revenue", "points": 5, "company_id": False,
      "domain": "[('expected_revenue', '>=', 5000)]"}},
    {{"name": "Priority", "points": 3, "company_id": False,
      "domain": "[('priority', 'in', ['2', '3'])]"}},
])
everyone = Rule.create({{"name": "Everyone", "points": 2, "company_id": False,
                        "domain": "[]"}})
env.cr.commit()
params.set_param("lead_scoring.sync_rescore_limit", 500)
everyone.write({{"points": 9, "domain": "[('expected_revenue', '<', 8000)]"}})
env.cr.commit()
print("PENDING", env["crm.lead.scoring.job"].search_count([]))
"""

#: the cron worker's own code for one job (acquire, run its batches with a
#: commit each, reschedule), until the job is no longer ready
CRON = """
from odoo.sql_db import db_connect
cron_id = env.ref("lead_scoring.ir_cron_lead_scoring_rescore").id
env.cr.rollback()
IrCron = env.registry["ir.cron"]
db = db_connect(env.cr.dbname)
calls = 0
while True:
    with db.cursor() as cron_cr:
        job = IrCron._acquire_one_job(cron_cr, cron_id)
        if not job:
            break
        IrCron._process_job(db, cron_cr, job)
        calls += 1
print("CRON_CALLS", calls)
"""


def _shell(python, odoo_path, conf, database, script):
    run = subprocess.run(
        [
            python,
            str(Path(odoo_path) / "odoo-bin"),
            "shell",
            "-c",
            conf,
            "-d",
            database,
            "--no-http",
            "--log-level=warn",
        ],
        input=script,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode or "Traceback" in run.stdout + run.stderr:
        print(run.stdout[-3000:], run.stderr[-3000:])
        raise RuntimeError("odoo shell failed")
    return run.stdout


def _one(cursor, query, params=None):
    cursor.execute(query, params)
    return cursor.fetchone()


def _wait(what, condition, timeout, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            output = process.stdout.read() + process.stderr.read()
            raise RuntimeError(f"the cron ended before {what}: {output[-3000:]}")
        if condition():
            return True
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


#: a lead's score in SQL (leads without a row in crm_lead_score score 0)
SCORE = (
    "COALESCE((SELECT s.score FROM crm_lead_score s WHERE s.lead_id = crm_lead.id), 0)"
)


def _check_scores(cursor, history_from):
    """(leads with the old score, with the new score, with neither, leads
    with more than one history row of the rescoring, its history rows)."""
    old, new, neither = _one(
        cursor,
        f"""SELECT count(*) FILTER (WHERE {SCORE} = {OLD_SCORE}),
                   count(*) FILTER (WHERE {SCORE} = {NEW_SCORE}),
                   count(*) FILTER (WHERE {SCORE} NOT IN ({OLD_SCORE}, {NEW_SCORE}))
              FROM crm_lead WHERE active AND name LIKE 'Resume %%'""",
    )
    twice, rows = _one(
        cursor,
        """SELECT count(*) FILTER (WHERE n > 1), coalesce(sum(n), 0)
             FROM (SELECT lead_id, count(*) AS n FROM crm_lead_score_history
                    WHERE id > %s GROUP BY lead_id) h""",
        [history_from],
    )
    return old, new, neither, twice, rows


def main(argv=None):  # noqa: C901 - one scenario, step by step
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument(
        "--template",
        help="database with lead_scoring installed without demo data to copy "
        "(installed otherwise)",
    )
    args = parser.parse_args(argv)
    odoo_path = os.environ.get("ODOO_PATH", "/opt/odoo/18.0")
    python = sys.executable
    conf = configparser.ConfigParser()
    conf.read(args.config)
    failures = []
    child = None
    t0 = time.monotonic()
    drop_database(conf, args.database)
    try:
        template = args.template and admin(
            conf, f"SELECT 1 FROM pg_database WHERE datname = '{args.template}'"
        )
        if template:
            print(f"Copying {args.template} into {args.database}", flush=True)
            admin(
                conf,
                f'CREATE DATABASE "{args.database}" TEMPLATE "{args.template}"',
            )
        else:
            print(f"Installing lead_scoring into {args.database}", flush=True)
            run = subprocess.run(
                [
                    python,
                    str(Path(odoo_path) / "odoo-bin"),
                    "-c",
                    args.config,
                    "-d",
                    args.database,
                    "-i",
                    "lead_scoring",
                    "--without-demo=all",
                    "--stop-after-init",
                    "--log-level=warn",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode:
                print(run.stdout[-3000:], run.stderr[-3000:])
                return "installing lead_scoring failed"
        connection = connect(conf, args.database)
        connection.autocommit = True
        cursor = connection.cursor()
        (history_from,) = _one(
            cursor, "SELECT coalesce(max(id), 0) FROM crm_lead_score_history"
        )
        print(f"Creating {LEADS} leads and 3 rules, editing a rule", flush=True)
        out = _shell(python, odoo_path, args.config, args.database, SETUP)
        if "PENDING 1" not in out:
            return f"the rule edit did not leave a pending rescoring: {out[-500:]}"
        (history_from,) = _one(
            cursor, "SELECT coalesce(max(id), 0) FROM crm_lead_score_history"
        )
        old, new, neither, __, __ = _check_scores(cursor, history_from)
        print(f"before the cron: {old} leads with the old score, {neither} wrong")
        if old != LEADS or neither:
            failures.append(f"scores before the cron: {old} old, {neither} wrong")
        cursor.execute(
            "SELECT id FROM crm_lead WHERE active AND name LIKE 'Resume %%' ORDER BY id"
        )
        ids = [row[0] for row in cursor.fetchall()]
        locked = ids[LOCKED_POSITION]
        before_locked = ids[LOCKED_POSITION - LOCKED_POSITION % BATCH - 1]

        # a lead of the 6th batch held by another transaction: that batch
        # waits on it, the 5 before are committed
        holder = connect(conf, args.database)
        holder.cursor().execute(
            "SELECT id FROM crm_lead WHERE id = %s FOR UPDATE", [locked]
        )
        progress_sql = (
            "SELECT coalesce(last_lead_id, 0) FROM crm_lead_scoring_job"
            " ORDER BY id DESC LIMIT 1"
        )
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and Odoo
            [
                python,
                str(Path(odoo_path) / "odoo-bin"),
                "shell",
                "-c",
                args.config,
                "-d",
                args.database,
                "--no-http",
                "--log-level=warn",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        child.stdin.write(CRON)
        child.stdin.close()
        _wait(
            "5 committed batches",
            lambda: (_one(cursor, progress_sql) or [0])[0] >= before_locked,
            60,
            child,
        )
        _wait(
            "the cron waiting on the held lead",
            lambda: _one(
                cursor,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND wait_event_type = 'Lock'",
                [args.database],
            )[0],
            30,
            child,
        )
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        holder.rollback()
        holder.close()
        print(
            f"cron process killed with SIGKILL in the batch after lead {before_locked}"
        )
        # the killed process's sessions end (their transaction rolled back)
        _wait(
            "the killed cron's sessions to end",
            lambda: (
                not _one(
                    cursor,
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                    " AND pid <> pg_backend_pid()",
                    [args.database],
                )[0]
            ),
            30,
        )

        (progress,) = _one(cursor, progress_sql) or (None,)
        old, new, neither, twice, rows = _check_scores(cursor, history_from)
        (new_upto,) = _one(
            cursor,
            f"""SELECT count(*) FROM crm_lead WHERE active AND name LIKE 'Resume %%'
                 AND ({SCORE} = {NEW_SCORE}) = (id <= %s)""",
            [progress or 0],
        )
        print(
            f"after the kill: progress at lead {progress} (leads {ids[0]}..{ids[-1]}),"
            f" {new} leads with the new score, {old} with the old one, {neither} with"
            f" neither; {rows} history rows, {twice} leads with two;"
            f" {new_upto} leads new exactly up to the progress"
        )
        if not progress or not ids[0] <= progress < ids[-1]:
            failures.append(f"progress {progress} not within the leads")
        if neither:
            failures.append(f"{neither} leads with neither the old nor the new score")
        if twice:
            failures.append(f"{twice} leads with two history rows")
        if new != LOCKED_POSITION - LOCKED_POSITION % BATCH or rows != new:
            failures.append(f"{new} leads rescored, {rows} history rows after the kill")
        if new_upto != LEADS:
            failures.append("the new scores do not end at the stored progress")

        print("Running the cron again to the end", flush=True)
        out = _shell(python, odoo_path, args.config, args.database, CRON)
        old, new, neither, twice, rows = _check_scores(cursor, history_from)
        (jobs,) = _one(cursor, "SELECT count(*) FROM crm_lead_scoring_job")
        print(
            f"after the second run ({out.strip()}): {new} leads with the new score,"
            f" {LEADS - new} other; {rows} history rows,"
            f" {twice} leads with two; {jobs} pending rescorings"
        )
        if new != LEADS or neither:
            failures.append(f"after the second run {new} of {LEADS} leads rescored")
        if rows != LEADS or twice:
            failures.append(f"{rows} history rows for {LEADS} leads, {twice} twice")
        if jobs:
            failures.append(f"{jobs} rescorings still pending")
        connection.close()
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        drop_database(conf, args.database)
    if failures:
        return "resume check failed:\n" + "\n".join(f"- {line}" for line in failures)
    print(
        f"Resume check passed in {time.monotonic() - t0:.0f} s: a killed rescoring"
        " left no half batch and resumed to exact scores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
