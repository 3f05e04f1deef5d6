import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

#: default of ``lead_scoring.sync_rescore_limit``: a rule change affecting
#: more leads is applied in the background
SYNC_RESCORE_LIMIT = 5000
#: default of ``lead_scoring.rescore_batch_size``: leads scored per batch
RESCORE_BATCH_SIZE = 20000
#: a batch that met a person's concurrent edit of one of its leads is tried
#: again this much later
RETRY_DELAY = timedelta(seconds=5)


class CrmLeadScoringJob(models.Model):
    """A pending rescoring of leads after a change of the scoring rules.

    The state lives in a model rather than in ``ir.config_parameter``: sales
    managers and salespersons read it (the parameters are for system
    administrators only), it carries typed fields, access lines and the
    multi-company record rule, and writing a parameter clears the registry
    caches of every worker, which each batch would do.

    A rule save only inserts a row (a request) and never updates one, and
    only the rescoring cron updates or deletes rows: a person's save never
    waits on, nor conflicts with, a batch in progress. The requests pending
    together form one run: it scores the union of their scopes, by ascending
    lead id, and its progress (the last lead id done) is kept on the newest
    request, committed with each batch. A newer request therefore restarts
    the run from the first lead, with the rules as they are then; when the
    run reaches the last lead, the requests it covered are deleted."""

    _name = "crm.lead.scoring.job"
    _description = "Lead Rescoring"
    _order = "id"
    _log_access = False

    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        ondelete="cascade",
        help="The leads to rescore: those of this company and those without "
        "company; every lead when empty.",
    )
    date = fields.Datetime(
        string="Requested on", required=True, readonly=True, default=fields.Datetime.now
    )
    last_lead_id = fields.Integer(
        string="Last Lead Done",
        readonly=True,
        help="Id of the last lead rescored: the run goes on with the next ones.",
    )

    # ------------------------------------------------------------ requests
    @api.model
    def _get_sync_limit(self):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("lead_scoring.sync_rescore_limit", SYNC_RESCORE_LIMIT)
        )

    @api.model
    def _get_batch_size(self):
        return max(
            1,
            int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("lead_scoring.rescore_batch_size", RESCORE_BATCH_SIZE)
            ),
        )

    @api.model
    def _scoring_request_rescore(self, companies=None, domain=None):
        """Rescore the leads of ``companies`` (and those without company), or
        every lead when ``companies`` is None, only those matching ``domain``
        when given: at once when they are at most
        ``lead_scoring.sync_rescore_limit``, else in the background (all the
        leads of ``companies``: a run covers companies, not any set of
        leads)."""
        scope = self._get_company_scope(companies)
        if domain:
            scope = expression.AND([scope, domain])
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        limit = self._get_sync_limit()
        affected = Lead.search_count(
            expression.AND([scope, Lead._get_scoring_scope_domain()]),
            limit=limit + 1,
        )
        if affected <= limit:
            self.env["crm.lead"]._scoring_rescore(scope_domain=scope or None)
            return False
        jobs = self.sudo().create(
            [{"company_id": False}]
            if companies is None
            else [{"company_id": company.id} for company in companies]
        )
        self.env.ref("lead_scoring.ir_cron_lead_scoring_rescore")._trigger()
        return jobs

    @api.model
    def _get_company_scope(self, companies):
        if companies is None:
            return []
        # leads without company are scored by every company's rules
        return [("company_id", "in", companies.ids + [False])]

    # ------------------------------------------------------------ the run
    @api.model
    def _get_run(self):
        """The pending requests (sudo), oldest first, and the domain of the
        leads their run rescores (empty requests: no run)."""
        jobs = self.sudo().search([])
        if not jobs or not all(job.company_id for job in jobs):
            return jobs, []
        return jobs, self._get_company_scope(jobs.company_id)

    @api.model
    def _get_pending_domain(self, run=None):
        """Leads whose score a pending run (``run``: ``_get_run()``'s result,
        searched when not given) has still to update, or None when nothing is
        pending."""
        jobs, scope = run or self._get_run()
        if not jobs:
            return None
        return expression.AND(
            [
                scope,
                self.env["crm.lead"]._get_scoring_scope_domain(),
                [("id", ">", jobs[-1].last_lead_id)],
            ]
        )

    @api.model
    def _get_pending_state(self):
        """(pending run's scope companies or None for every lead, leads
        remaining) or None when nothing is pending."""
        run = self._get_run()
        jobs, scope = run
        if not jobs:
            return None
        remaining = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_count(self._get_pending_domain(run))
        )
        return (jobs.company_id if scope else None), remaining

    @api.model
    def _cron_rescore_leads(self):
        """One batch of the pending run: the next leads by ascending id,
        scored by one statement; the cron commits it with the progress and
        runs again while leads remain (``ir.cron._notify_progress``), so a
        run stopped at any point goes on after its last committed batch."""
        jobs, scope = self._get_run()
        if not jobs:
            return
        run = jobs[-1]
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        pending = self._get_pending_domain((jobs, scope))
        todo = Lead.search_count(pending)
        batch_size = self._get_batch_size()
        done = min(todo, batch_size)
        if done:
            # the last lead of the batch; none when the batch takes the rest
            upto = todo > batch_size and Lead.search(
                pending, order="id", offset=batch_size - 1, limit=1
            )
            batch = [("id", ">", run.last_lead_id)]
            if upto:
                batch.append(("id", "<=", upto.id))
            try:
                with self.env.cr.savepoint():
                    self.env["crm.lead"]._scoring_rescore(
                        scope_domain=expression.AND([batch, scope]), large=True
                    )
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY as error:
                # a salesperson saved one of the batch's leads meanwhile (and
                # rescored it): the batch is undone and tried again shortly,
                # instead of failing the cron until its next hourly call
                _logger.info("Lead rescoring: batch tried again (%s)", error.pgcode)
                self.env.ref("lead_scoring.ir_cron_lead_scoring_rescore")._trigger(
                    fields.Datetime.now() + RETRY_DELAY
                )
                return
        remaining = todo - done
        if remaining:
            run.last_lead_id = upto.id
        else:
            jobs.unlink()
        _logger.info("Lead rescoring: %s leads scored, %s remaining", done, remaining)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
