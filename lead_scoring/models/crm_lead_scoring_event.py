import logging
import time

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from .crm_lead_scoring_job import RETRY_DELAY

_logger = logging.getLogger(__name__)

#: a batch of more marked leads than this is scored with PostgreSQL's
#: parallel workers (see crm.lead._scoring_rescore_scope)
LARGE_BATCH = 1000

#: the scheduled action waits until the oldest mark is this old (seconds)
#: before it takes the marks: the events of the same second (a visitor
#: reading page after page) are rescored in one run, not one run each
COALESCE_SECONDS = 2.0


class CrmLeadScoringEvent(models.Model):
    """A lead marked by a new event (a page visited, an e-mail, an activity
    done) that the engagement rules count: rescored within a minute by the
    scheduled action *Lead Scoring: rescore leads with new events*, never in
    the request or the mail gateway's transaction that recorded the event.

    Marking inserts a row unless the lead has a mark the scheduled action
    has not taken yet, which it then locks (FOR KEY SHARE) until the end of
    the marking transaction, so the scheduled action cannot take it before
    the new event is committed; a mark being taken (locked by the scheduled
    action) is skipped, never waited for: an event never waits on the
    rescoring of its lead. The scheduled action takes the rows by batches,
    scores their distinct leads in one statement and deletes them; run by
    the scheduler, it first waits for its oldest mark to be two seconds old:
    hundreds of events per second coalesce into few runs."""

    _name = "crm.lead.scoring.event"
    _description = "Lead Marked by a New Event"
    _order = "id"
    _log_access = False

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
    date = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _mark_leads(self, lead_ids):
        """Mark the leads of ``lead_ids`` (ids, or an SQL query selecting
        them) for a rescoring within a minute, those already marked and not
        taken yet aside (their mark is locked until this transaction ends);
        trigger it when any was marked."""
        if isinstance(lead_ids, SQL):
            leads = lead_ids
        else:
            lead_ids = sorted({lead_id for lead_id in lead_ids if lead_id})
            if not lead_ids:
                return
            leads = SQL("SELECT unnest(%s::int[])", lead_ids)
        self.env.cr.execute(
            SQL(
                """INSERT INTO crm_lead_scoring_event (lead_id, date)
                   SELECT marked.lead_id, now() AT TIME ZONE 'UTC'
                     FROM (%s) AS marked(lead_id)
                    WHERE NOT EXISTS (
                          SELECT 1 FROM crm_lead_scoring_event e
                           WHERE e.lead_id = marked.lead_id
                             FOR KEY SHARE SKIP LOCKED)""",
                leads,
            )
        )
        if self.env.cr.rowcount:
            self.env.ref("lead_scoring.ir_cron_lead_scoring_events").sudo()._trigger()

    @api.model
    def _cron_rescore_marked_leads(self):
        """Rescore the leads marked by new events, by batches of
        ``lead_scoring.rescore_batch_size`` marks: each batch's marks are
        deleted and their leads scored in one statement, committed by the
        cron (``ir.cron._notify_progress``) so that it runs again at once
        while marks remain."""
        batch_size = self.env["crm.lead.scoring.job"]._get_batch_size()
        if self.env.context.get("cron_id"):
            # run by the scheduler: the events of the last seconds together
            [(age,)] = self.env.execute_query(
                SQL(
                    "SELECT extract(epoch FROM clock_timestamp() AT TIME ZONE 'UTC'"
                    " - min(date)) FROM crm_lead_scoring_event"
                )
            )
            if age is not None and age < COALESCE_SECONDS:
                time.sleep(COALESCE_SECONDS - float(age))
        try:
            with self.env.cr.savepoint():
                rows = self.env.execute_query(
                    SQL(
                        """WITH taken AS (
                               DELETE FROM crm_lead_scoring_event
                                WHERE id IN (SELECT id FROM crm_lead_scoring_event
                                              ORDER BY id LIMIT %s)
                            RETURNING lead_id)
                           SELECT DISTINCT lead_id FROM taken""",
                        batch_size,
                    )
                )
                lead_ids = [row[0] for row in rows]
                if lead_ids:
                    self.env["crm.lead"]._scoring_rescore(
                        scope_domain=[("id", "in", lead_ids)],
                        large=len(lead_ids) > LARGE_BATCH,
                    )
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
            # a salesperson saved one of these leads meanwhile: the marks are
            # back (savepoint rolled back), tried again shortly
            _logger.info("Lead scoring events: batch tried again (%s)", error.pgcode)
            self.env.ref("lead_scoring.ir_cron_lead_scoring_events")._trigger(
                fields.Datetime.now() + RETRY_DELAY
            )
            return
        self.env.invalidate_all()
        [(remaining,)] = self.env.execute_query(
            SQL("SELECT count(*) FROM crm_lead_scoring_event")
        )
        if lead_ids:
            _logger.info(
                "Lead scoring events: %s leads rescored, %s marks remaining",
                len(lead_ids),
                remaining,
            )
        self.env["ir.cron"]._notify_progress(done=len(lead_ids), remaining=remaining)
