import ast
import json
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.safe_eval import datetime, safe_eval, time

from .crm_lead import ScoringBatch

_logger = logging.getLogger(__name__)

#: compiled rule sets kept per process (one per user, company, language and
#: day that scores)
RULES_CACHE_SIZE = 16

#: fields of a rule that change which leads it scores and by how much
SCORING_FIELDS = {
    "points",
    "domain",
    "active",
    "company_id",
    "rule_type",
    "event_type",
    "event_url",
    "event_activity_type_id",
    "event_window_days",
    "event_min_count",
    "decay_half_life_days",
}
#: the events an engagement rule may count (their sources: see
#: ``crm.lead.scoring.rule._get_scoring_event_rows``)
#: fields of an engagement rule
ENGAGEMENT_FIELDS = (
    "rule_type",
    "event_type",
    "event_url",
    "event_activity_type_id",
    "event_window_days",
    "event_min_count",
    "decay_half_life_days",
)
EVENT_TYPES = [
    ("page_visit", "Page visited"),
    ("email_received", "E-mail received from the customer"),
    ("email_sent", "E-mail sent to the customer"),
    ("activity_done", "Activity done"),
]
#: names of a domain's evaluation context whose values change with the day
TIME_NAMES = {"context_today", "datetime", "time", "relativedelta"}
#: names by which a domain would read who runs the scoring (refused: a score
#: never depends on who triggers it)
USER_NAMES = {"uid", "user", "company_id", "company_ids", "allowed_company_ids"}


def _groups_allow(env, groups, user_groups):
    """Whether a user of ``user_groups`` (res.groups, implied ones included)
    passes a field's ``groups`` specification, as ``res.users.has_groups``
    decides it: Odoo's own group definitions parse and match it."""
    if not groups:
        return True
    spec = ",".join(ref.strip() for ref in groups.split(","))
    definitions = env["res.groups"]._get_group_definitions()
    return definitions.parse(spec, raise_if_not_found=False).matches(user_groups.ids)


class CrmLeadScoringRule(models.Model):
    _name = "crm.lead.scoring.rule"
    _description = "Lead Scoring Rule"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    rule_type = fields.Selection(
        [("fit", "Fit"), ("engagement", "Engagement")],
        string="Kind",
        required=True,
        default="fit",
        help="Fit: who the lead is, a condition on the lead's fields. "
        "Engagement: what the lead does, its events (pages visited, e-mails, "
        "activities done), whose points may fade with time.",
    )
    event_type = fields.Selection(
        EVENT_TYPES,
        string="Event",
        help="The events of the lead an engagement rule counts.",
    )
    event_url = fields.Char(
        string="URL Contains",
        help="Only the visits of pages whose URL contains this text, as written "
        "(e.g. /pricing); empty: every tracked page.",
    )
    event_activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        help="Only the activities of this type (e.g. Call, Meeting); empty: every "
        "activity marked done.",
    )
    event_window_days = fields.Integer(
        string="In the Last (Days)",
        default=0,
        help="Only the events of the last N days count; 0: every event, however old.",
    )
    event_min_count = fields.Integer(
        string="At Least (Events)",
        default=1,
        help="The lead matches when it has at least this many such events.",
    )
    decay_half_life_days = fields.Integer(
        string="Half-Life (Days)",
        default=0,
        help="The points halve every N days after the lead's latest matching "
        "event: a lead gets round(points x 0.5 ^ (age / half-life)); 0: the "
        "points do not fade.",
    )
    points = fields.Integer(
        required=True,
        default=1,
        help="Points added to the score of every lead matching the domain "
        "(negative to remove points), between -1000 and 1000.",
    )
    domain = fields.Char(
        required=True,
        default="[]",
        help="Leads and opportunities matching this domain receive the points.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to score the leads of every company.",
    )
    lead_count = fields.Integer(
        string="Scored Leads",
        compute="_compute_lead_count",
        help="Number of open leads and opportunities (active, not won) of the "
        "rule's company matching its domain now: the leads it gives points to. "
        "The count under the domain also includes the won leads.",
    )
    error_message = fields.Text(
        string="Error",
        readonly=True,
        copy=False,
        help="Why the rule was skipped at the last score computation.",
    )

    rescoring_remaining = fields.Integer(
        string="Leads to Rescore",
        compute="_compute_rescoring_remaining",
        help="Leads whose score a background rescoring, after a change of "
        "the rules, has still to update.",
    )

    # figures of the last evaluation on closed leads (crm.lead.scoring.evaluation)
    # of each company: a rule without company is evaluated on the closed leads
    # of every company, and rule.with_company(c) reads company c's figures
    eval_evaluation_id = fields.Many2one(
        "crm.lead.scoring.evaluation",
        string="Last Evaluation",
        readonly=True,
        copy=False,
        company_dependent=True,
    )
    eval_state = fields.Selection(
        [("evaluated", "Evaluated"), ("not_evaluable", "Not evaluable")],
        string="Evaluation",
        readonly=True,
        copy=False,
        company_dependent=True,
    )
    eval_note = fields.Char(
        string="Why Not Evaluable",
        readonly=True,
        copy=False,
        company_dependent=True,
    )
    eval_matched_count = fields.Integer(
        string="Closed Leads Matched",
        readonly=True,
        copy=False,
        company_dependent=True,
        help="Leads won or lost in the evaluated period that the rule matches.",
    )
    eval_won_rate = fields.Float(
        string="Won Rate (%)",
        readonly=True,
        copy=False,
        company_dependent=True,
        help="Share of won leads among the closed leads the rule matches.",
    )
    eval_unmatched_won_rate = fields.Float(
        string="Won Rate Without (%)",
        readonly=True,
        copy=False,
        company_dependent=True,
        help="Share of won leads among the closed leads the rule does not match.",
    )
    eval_lift = fields.Float(
        string="Lift",
        readonly=True,
        copy=False,
        company_dependent=True,
        help="The rule's won rate divided by the won rate of every closed "
        "lead: above 1 its leads win more often, below 1 less often.",
    )
    suggested_points = fields.Integer(
        readonly=True,
        copy=False,
        company_dependent=True,
        help="Points learned from the older two thirds of the closed leads: "
        "10 points for each doubling of the odds of winning of the leads the "
        "rule matches against the others; the current points when the rule "
        "matches, or leaves, too few of them.",
    )

    _sql_constraints = [
        (
            "points_range",
            "CHECK(points >= -1000 AND points <= 1000)",
            "The points of a scoring rule must be between -1000 and 1000.",
        ),
    ]

    @api.depends("domain", "company_id", "active", *ENGAGEMENT_FIELDS)
    def _compute_lead_count(self):
        Lead = self.env["crm.lead"]
        for rule in self:
            try:
                domain = rule._get_lead_domain()
                if rule.rule_type == "engagement":
                    rule.lead_count = rule._count_engaged_leads(domain)
                else:
                    rule.lead_count = Lead.search_count(domain)
            except Exception:  # noqa: BLE001 - a broken rule matches nothing
                rule.lead_count = 0

    def _count_engaged_leads(self, domain):
        """The leads of ``domain`` (those the user may read) the engagement
        rule matches now, counted as the scoring counts them."""
        self.ensure_one()
        if self._get_engagement_error():
            return 0
        Lead = self.env["crm.lead"]
        query = Lead._search(domain)
        [term] = Lead._get_scoring_terms(query, [(self, Lead.sudo()._search([]))])
        query.add_where(term.matched)
        [(count,)] = self.env.execute_query(query.select(SQL("count(*)")))
        return count

    @api.depends_context("uid")
    def _compute_rescoring_remaining(self):
        """The leads a pending rescoring has still to update whose points from
        the rule may change: those it matches now or matched at their last
        scoring. One scan of the pending leads counts them for every rule."""
        Job = self.env["crm.lead.scoring.job"]
        run = Job._get_run()
        pending = Job._get_pending_domain(run)
        counts = {}
        rules = self.filtered("id")
        if pending is not None and rules:
            # sudo: which leads are pending is not a matter of access rights
            # (as the leads' own "score pending" flag)
            Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
            # the active rules that apply now (an archived or broken one
            # matches nothing now)
            applied = {
                rule.id: query
                for rule, __, query in self._load_scoring_rules(mark_errors=False)
            }
            compiled = [(rule, applied.get(rule.id)) for rule in rules]
            conditions = Lead._get_scoring_conditions(
                [(rule, query) for rule, query in compiled if query is not None]
            )
            matches = iter(conditions)
            query = Lead._search(pending)
            scores = Lead._join_lead_score(query)
            columns = []
            for rule, rule_query in compiled:
                matched_before = SQL(
                    "%s @> %s::jsonb",
                    SQL.identifier(scores, "rule_data"),
                    json.dumps([rule.id]),
                )
                condition = (
                    SQL("COALESCE(%s, FALSE) OR %s", next(matches), matched_before)
                    if rule_query is not None
                    else matched_before
                )
                columns.append(SQL("count(*) FILTER (WHERE %s)", condition))
            [row] = self.env.execute_query(query.select(*columns))
            counts = dict(zip([rule.id for rule, __ in compiled], row, strict=True))
        for rule in self:
            rule.rescoring_remaining = counts.get(rule.id, 0)

    @api.constrains(
        "rule_type",
        "domain",
        "event_type",
        "event_url",
        "event_activity_type_id",
        "event_window_days",
        "event_min_count",
        "decay_half_life_days",
    )
    def _check_engagement(self):
        for rule in self:
            error = rule._get_engagement_error()
            if error:
                raise ValidationError(
                    self.env._(
                        "The scoring rule %(rule)s is invalid: %(error)s",
                        rule=rule.name,
                        error=error,
                    )
                )

    @api.constrains("domain")
    def _check_domain(self):
        for rule in self:
            error = rule._get_domain_error()
            if error:
                raise ValidationError(
                    self.env._(
                        "The domain of the scoring rule %(rule)s is invalid: %(error)s",
                        rule=rule.name,
                        error=error,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_points_value(vals)
        # the chatter logs a rule's applied suggestions, not its creation (no
        # message for each example rule installed)
        rules = (
            super(CrmLeadScoringRule, self.with_context(mail_create_nolog=True))
            .create(vals_list)
            .with_env(self.env)
        )
        rules._scoring_rescore_affected(
            rules.company_id, any_global=rules.filtered(lambda r: not r.company_id)
        )
        return rules

    def write(self, vals):
        for rule in self:
            rule._check_points_value(vals)
        if not SCORING_FIELDS.intersection(vals):
            return super().write(vals)
        if "domain" in vals:
            # checked by _check_domain: a new domain is applied, not broken
            vals = dict(vals, error_message=False)
        companies_before = self.company_id
        global_before = self.filtered(lambda rule: not rule.company_id)
        res = super().write(vals)
        global_after = self.filtered(lambda rule: not rule.company_id)
        self._scoring_rescore_affected(
            companies_before | self.company_id, any_global=global_before or global_after
        )
        return res

    def unlink(self):
        companies = self.company_id
        any_global = self.filtered(lambda rule: not rule.company_id)
        res = super().unlink()
        self.env["crm.lead.scoring.rule"]._scoring_rescore_affected(
            companies, any_global=any_global
        )
        return res

    def _check_points_value(self, vals):
        """Refuse points out of range before the database's check constraint
        does, with a message naming the rule and the value."""
        points = vals.get("points")
        if isinstance(points, int) and not -1000 <= points <= 1000:
            raise ValidationError(
                self.env._(
                    "The points of the scoring rule %(rule)s must be between "
                    "-1000 and 1000 (got %(points)s).",
                    rule=vals.get("name") or self.name,
                    points=points,
                )
            )

    def action_preview_leads(self):
        self.ensure_one()
        # an engagement rule: the leads it matched at their last scoring
        domain = (
            [("score_rule_ids", "in", self.ids)]
            if self.rule_type == "engagement"
            else self._get_lead_domain()
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Leads matching %(rule)s", rule=self.name),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "domain": domain,
        }

    def action_rescore_all_leads(self):
        """Rescore every lead with the rules as they are, e.g. after leads
        were imported or changed outside Odoo: at once on a small database,
        else in the background (the scheduled action *Lead Scoring: apply
        rule changes*). Sales Administrators only."""
        self.check_access("write")
        jobs = self.env["crm.lead.scoring.job"]._scoring_request_rescore()
        message = (
            self.env._(
                "Every lead is being rescored in the background; the rules "
                "show the leads remaining."
            )
            if jobs
            else self.env._("Every lead was rescored.")
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_evaluate(self):
        """Evaluate the rules on the company's closed leads: at once on a
        small database, else in the background (the scheduled action *Lead
        Scoring: evaluate the rules*). Sales Administrators only."""
        Evaluation = self.env["crm.lead.scoring.evaluation"]
        Evaluation.check_access("create")
        if (
            Evaluation._count_evaluation_leads()
            > self.env["crm.lead.scoring.job"]._get_sync_limit()
        ):
            self.env.ref("lead_scoring.ir_cron_lead_scoring_evaluate")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "message": self.env._(
                        "The rules are being evaluated in the background; the "
                        "evaluation appears under Reporting when it is done."
                    ),
                    "type": "success",
                },
            }
        evaluation = Evaluation.evaluate()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead.scoring.evaluation",
            "res_id": evaluation.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_apply_suggested_points(self):
        """Give the selected rules their suggested points, rescore the leads
        once and log the change on each rule. Sales Administrators only."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only Sales Administrators may apply suggested points.")
            )
        self.check_access("write")
        changed = self.filtered(
            lambda rule: (
                rule.eval_state == "evaluated" and rule.suggested_points != rule.points
            )
        )
        for rule in changed:
            old_points = rule.points
            # the rules' write without its rescoring: one for every rule below
            super(CrmLeadScoringRule, rule).write({"points": rule.suggested_points})
            rule.message_post_with_source(
                "lead_scoring.message_scoring_rule_points_applied",
                render_values={
                    "old_points": old_points,
                    "new_points": rule.points,
                },
                subtype_xmlid="mail.mt_note",
            )
        if changed:
            self._scoring_rescore_affected(
                changed.company_id,
                any_global=changed.filtered(lambda rule: not rule.company_id),
            )
        return True

    def _get_outcome_field(self, domain):
        """The first field of the lead that ``domain`` reads and into which a
        closed lead's outcome is written (see ``OUTCOME_FIELDS`` of the
        evaluation), or None."""
        from .crm_lead_scoring_evaluation import OUTCOME_FIELDS

        for leaf in domain:
            if isinstance(leaf, list | tuple) and len(leaf) == 3:
                name = str(leaf[0]).split(".", 1)[0]
                if name in OUTCOME_FIELDS:
                    return name
        return None

    def _prepare_not_evaluable_values(self, evaluation):
        self.ensure_one()
        field = self.env["crm.lead"]._fields[
            self._get_outcome_field(self._get_scoring_domain())
        ]
        return {
            "eval_evaluation_id": evaluation.id,
            "eval_state": "not_evaluable",
            "eval_note": self.env._(
                "The rule reads %(field)s, into which a closed lead's outcome "
                "is written: it would predict what it reads.",
                field=field._description_string(self.env),
            ),
            "eval_matched_count": 0,
            "eval_won_rate": 0.0,
            "eval_unmatched_won_rate": 0.0,
            "eval_lift": 0.0,
            "suggested_points": self.points,
        }

    def _prepare_evaluated_values(self, closed, won, matched, unmatched, suggested):
        """The rule's figures from the counts of evaluation leads: ``closed``
        and ``won`` in all, [leads, won] ``matched`` and ``unmatched``."""
        self.ensure_one()
        won_rate = 100 * matched[1] / matched[0] if matched[0] else 0.0
        return {
            "eval_state": "evaluated",
            "eval_note": False,
            "eval_matched_count": matched[0],
            "eval_won_rate": won_rate,
            "eval_unmatched_won_rate": (
                100 * unmatched[1] / unmatched[0] if unmatched[0] else 0.0
            ),
            "eval_lift": won_rate / (100 * won / closed) if won else 0.0,
            "suggested_points": suggested,
        }

    def _get_engagement_error(self):
        """A message naming what is wrong with the rule's kind and events, or
        False."""
        self.ensure_one()
        _ = self.env._

        def event():
            label = dict(self._fields["event_type"]._description_selection(self.env))
            return label.get(self.event_type, "")

        engagement = self.rule_type == "engagement"
        domain = (self.domain or "[]").strip()
        checks = [
            (
                self.event_window_days < 0,
                lambda: _("the number of days of the window cannot be negative."),
            ),
            (
                self.event_min_count < 1,
                lambda: _("the minimum number of events must be at least 1."),
            ),
            (
                self.decay_half_life_days < 0,
                lambda: _("the half-life cannot be negative."),
            ),
            (
                engagement and domain not in ("", "[]"),
                lambda: _(
                    "an engagement rule counts the lead's events and has no "
                    "domain: make it a fit rule, or empty its domain."
                ),
            ),
            (
                engagement and not self.event_type,
                lambda: _("choose the events an engagement rule counts."),
            ),
            (
                engagement
                and self.event_type
                and self._get_scoring_event_rows(self.event_type) is None,
                lambda: _(
                    "the events %(event)s come from a module that is not "
                    "installed (Lead Scoring: Website, with Website CRM, for the "
                    "pages visited).",
                    event=event(),
                ),
            ),
            (
                engagement and self.event_url and self.event_type != "page_visit",
                lambda: _(
                    "a URL filters the pages visited only, not %(event)s.",
                    event=event(),
                ),
            ),
            (
                engagement
                and self.event_activity_type_id
                and self.event_type != "activity_done",
                lambda: _(
                    "an activity type filters the activities done only, not %(event)s.",
                    event=event(),
                ),
            ),
        ]
        # the message of the first failed check only, translated when needed
        return next((message() for failed, message in checks if failed), False)

    # ------------------------------------------------------------ events
    @api.model
    def _get_scoring_event_rows(self, event_type):
        """The events of ``event_type`` as SQL selecting one row per event
        with the columns ``lead_id``, ``event_date`` (timestamp), ``url``
        (text) and ``activity_type_id`` (integer, NULL for the events that
        have none); None when the source of these events is not installed.

        Engagement rules count these rows, set-based. Add a source by
        overriding this method (answer your event type, call super for the
        others) and adding the type to ``event_type``'s selection; mark the
        leads of a new event with ``crm.lead.scoring.event._mark_leads`` so that
        they are rescored within a minute. lead_scoring_website adds the
        pages visited this way."""
        internal_author = SQL(
            "EXISTS (SELECT 1 FROM res_users u"
            " WHERE u.partner_id = m.author_id AND NOT u.share)"
        )
        columns = SQL(
            "m.res_id AS lead_id, m.date AS event_date, NULL::text AS url, "
            "m.mail_activity_type_id AS activity_type_id"
        )
        if event_type == "email_received":
            condition = SQL("m.message_type = 'email' AND NOT %s", internal_author)
        elif event_type == "email_sent":
            comment = self.env.ref("mail.mt_comment").id
            condition = SQL(
                "m.message_type IN ('comment', 'email_outgoing')"
                " AND m.subtype_id = %s AND %s",
                comment,
                internal_author,
            )
        elif event_type == "activity_done":
            condition = SQL("m.mail_activity_type_id IS NOT NULL")
        else:
            return None
        return SQL(
            "SELECT %s FROM mail_message m WHERE m.model = 'crm.lead' AND %s",
            columns,
            condition,
        )

    @api.model
    def _get_scoring_event_model(self, event_type):
        """The model whose records are the events of ``event_type`` (a user
        who may not read them is not shown their dates); override it with
        ``_get_scoring_event_rows`` for a new source."""
        if event_type in ("email_received", "email_sent", "activity_done"):
            return "mail.message"
        return None

    def _get_scoring_event_condition(self, alias):
        """The SQL condition of the engagement rule on an event row of
        ``alias`` (see ``_get_scoring_event_rows``), its window aside."""
        self.ensure_one()
        conditions = []
        if self.event_url:
            # the text as written, no wildcard (a case-insensitive match costs
            # several times more on millions of page views)
            conditions.append(
                SQL("strpos(%s, %s) > 0", SQL.identifier(alias, "url"), self.event_url)
            )
        if self.event_activity_type_id:
            conditions.append(
                SQL(
                    "%s = %s",
                    SQL.identifier(alias, "activity_type_id"),
                    self.event_activity_type_id.id,
                )
            )
        return SQL(" AND ").join(conditions) if conditions else SQL("TRUE")

    def _get_engagement_key(self):
        """The values of the rule's engagement fields, as a tuple of plain
        values (a cache key)."""
        self.ensure_one()
        return tuple(
            self[name].id if name == "event_activity_type_id" else self[name]
            for name in ENGAGEMENT_FIELDS
        )

    def _is_time_dependent(self):
        """Whether the rule's points change with time alone: an engagement
        rule with a window (events leave it) or a half-life (points fade)."""
        self.ensure_one()
        return self.rule_type == "engagement" and bool(
            self.event_window_days or self.decay_half_life_days
        )

    def _get_eval_context(self):
        """Values a domain may use, e.g. for rules relative to today:
        ``[('create_date', '<', (context_today() - relativedelta(days=30))
        .strftime('%Y-%m-%d'))]``. Nothing of the user who triggers the
        scoring: today is the scoring's day (``_get_scoring_today``)."""
        return {
            "datetime": datetime,
            "time": time,
            "relativedelta": relativedelta,
            "context_today": self._get_scoring_today,
        }

    @api.model
    def _get_scoring_today(self):
        """Today for the rules relative to today, whoever triggers the
        scoring: in the time zone of the main company (its address), else of
        the administrator, else UTC."""
        return fields.Date.context_today(
            self.with_context(tz=self._get_scoring_timezone())
        )

    @api.model
    @tools.ormcache()
    def _get_scoring_timezone(self):
        """The time zone of ``_get_scoring_today`` (cleared when the partner
        of the main company or of the administrator changes its own, see
        res.partner.write)."""
        data = self.env["ir.model.data"]
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(
                          (SELECT NULLIF(p.tz, '') FROM res_company c
                             JOIN res_partner p ON p.id = c.partner_id
                            WHERE c.id = %s),
                          (SELECT NULLIF(p.tz, '') FROM res_users u
                             JOIN res_partner p ON p.id = u.partner_id
                            WHERE u.id = %s),
                          'UTC')""",
                data._xmlid_to_res_id("base.main_company", raise_if_not_found=False),
                data._xmlid_to_res_id("base.user_admin", raise_if_not_found=False),
            )
        )
        return self.env.cr.fetchone()[0]

    def _get_user_reading_error(self):
        """A message naming what the domain reads of who runs the scoring
        (``uid``, ``user``, the session's companies), or False."""
        self.ensure_one()
        try:
            tree = ast.parse((self.domain or "[]").strip() or "[]", mode="eval")
        except SyntaxError:
            return False  # reported as a syntax error
        names = sorted(
            {
                node.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Name) and node.id in USER_NAMES
            }
        )
        if not names:
            return False
        return self.env._(
            "it reads the user who runs the scoring (%(names)s): a score must "
            "not depend on who triggers it; name the salesperson or the "
            "company in the domain instead",
            names=", ".join(names),
        )

    def _parse_domain(self):
        """Return the rule's domain as a list; raise on bad syntax."""
        self.ensure_one()
        domain = safe_eval(
            (self.domain or "[]").strip() or "[]", self._get_eval_context()
        )
        if not isinstance(domain, list | tuple):
            raise ValueError(self.env._("a domain must be a list of conditions"))
        return list(domain)

    def _get_domain_error(self):
        """Return a message naming what is wrong with the domain, or False."""
        self.ensure_one()
        error = self._get_user_reading_error()
        if error:
            return error
        try:
            domain = self._parse_domain()
        except Exception as e:  # noqa: BLE001 - any parsing error is reported
            return self.env._("syntax error (%(error)s)", error=e)
        try:
            self.env["crm.lead"].sudo()._search(domain)
        except Exception as e:  # noqa: BLE001 - unknown field, bad operator, ...
            return str(e)
        return self._get_domain_access_error(domain)

    def _get_domain_access_error(self, domain, model_name="crm.lead"):
        """A message naming the first field of ``domain`` (on ``model_name``)
        that its author or a Sales Administrator may not read: the scores,
        shown to every salesperson, would tell its values. False if none."""
        manager = self.env.ref("sales_team.group_sale_manager")
        manager_groups = manager | manager.trans_implied_ids
        for leaf in domain:
            if not (isinstance(leaf, list | tuple) and len(leaf) == 3):
                continue
            model = self.env[model_name]
            for name in str(leaf[0]).split("."):
                field = model._fields.get(name)
                if field is None:
                    break
                if not field.is_accessible(self.env) or not _groups_allow(
                    self.env, field.groups, manager_groups
                ):
                    return self.env._(
                        "the field %(field)s (%(name)s) of %(model)s may not be "
                        "read by Sales Administrators",
                        field=field._description_string(self.env),
                        name=name,
                        model=self.env["ir.model"]._get(model._name).name,
                    )
                if not field.relational:
                    break
                model = self.env[field.comodel_name]
            if leaf[1] in ("any", "not any") and isinstance(leaf[2], list | tuple):
                error = self._get_domain_access_error(list(leaf[2]), model._name)
                if error:
                    return error
        return False

    def _changes_without_write(self):
        """Whether the leads the rule matches may change without any write of
        theirs, so that only the nightly pass rescores them: a domain relative
        to today, or reading a field that may change without a write of the
        lead (other records, non-stored or computed from other records,
        written in SQL; see ``crm.lead._scoring_field_changes_without_write``)."""
        self.ensure_one()
        if self.rule_type == "engagement":
            # its events mark their leads (rescored within a minute), and
            # the daily fading pass applies the time (``_is_time_dependent``)
            return False
        try:
            tree = ast.parse((self.domain or "[]").strip() or "[]", mode="eval")
        except SyntaxError:
            return False  # never applied (see _get_domain_error)
        if any(
            isinstance(node, ast.Name) and node.id in TIME_NAMES
            for node in ast.walk(tree)
        ):
            return True
        try:
            domain = self._parse_domain()
        except Exception:  # noqa: BLE001 - a broken rule is never applied
            return False
        Lead = self.env["crm.lead"]
        for leaf in domain:
            if not (isinstance(leaf, list | tuple) and len(leaf) == 3):
                continue
            field = Lead._fields.get(str(leaf[0]))
            if (
                field is None  # a path into other records
                or leaf[1] in ("any", "not any")
                or Lead._scoring_field_changes_without_write(field)
            ):
                return True
        return False

    def _get_company_domain(self):
        """Leads a rule of a company scores: those of its company and those
        without company (crm allocates these); a rule without company scores
        every lead."""
        self.ensure_one()
        if not self.company_id:
            return []
        return [("company_id", "in", [self.company_id.id, False])]

    def _get_scoring_domain(self):
        """The rule's domain with its company condition."""
        self.ensure_one()
        return expression.AND([self._parse_domain(), self._get_company_domain()])

    def _get_lead_domain(self):
        """Domain of the leads this rule scores now (its domain, its company,
        active and not won)."""
        self.ensure_one()
        return expression.AND(
            [
                self._get_scoring_domain(),
                self.env["crm.lead"]._get_scoring_scope_domain(),
            ]
        )

    @api.model
    def _load_scoring_rules(self, mark_errors=True):
        """The active rules that can be applied now, as a list of (rule,
        domain with its company condition, compiled lead query). A rule whose
        domain cannot be applied any more (a field removed, a record deleted)
        is skipped, logged and, with ``mark_errors``, marked on the rule."""
        # sudo: every company's rules score the leads without company, and a
        # rule is compiled and marked whatever the user who triggers a scoring
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        rules = (
            self.sudo()
            .with_context(active_test=True)
            .search_fetch(
                [], ["domain", "company_id", "error_message", *ENGAGEMENT_FIELDS]
            )
        )
        # compiled once per process for the same domains (each rescoring of
        # a few leads, e.g. after new events, would otherwise compile every
        # rule again): the key holds all that the compiled queries depend on,
        # the domains and companies, the user and language the domains are
        # compiled with, the scoring's day (context_today); the
        # registry (its fields) holds the cache. A
        # compiled query runs no query of its own: nothing of the cursor or
        # records that compiled it is kept.
        cache_key = (
            tuple(
                (
                    rule.id,
                    rule.domain,
                    rule.company_id.id,
                    rule._get_engagement_key(),
                )
                for rule in rules
            ),
            self.env.uid,
            self.env.lang,
            # the day, for the rules relative to it only
            any("context_today" in (rule.domain or "") for rule in rules)
            and self._get_scoring_today(),
        )
        cache = self.env.registry.__dict__.setdefault("lead_scoring_rules", {})
        cached = cache.get(cache_key)
        if cached is not None and not any(rules.mapped("error_message")):
            return [
                (rules.browse(rule_id), domain, query)
                for rule_id, domain, query in cached
            ]
        result = []
        changed = self.browse()  # rules broken or mended since the last time
        for rule in rules:
            try:
                error = rule._get_engagement_error()
                if error:  # e.g. the module of its events uninstalled
                    raise ValueError(error)
                error = rule._get_user_reading_error()
                if error:  # saved by an earlier version
                    raise ValueError(error)
                domain = rule._get_scoring_domain()
                query = Lead._search(domain)  # compiles it, runs no query
            except Exception as e:  # noqa: BLE001 - a broken rule never stops the others
                if mark_errors:
                    _logger.warning(
                        "Lead scoring rule %s (%s) skipped: %s", rule.id, rule.name, e
                    )
                    message = self.env._(
                        "The rule is skipped, its domain cannot be applied: %(error)s",
                        error=e,
                    )
                    if rule.error_message != message:
                        changed |= rule.filtered(lambda rule: not rule.error_message)
                        rule.error_message = message
                continue
            if mark_errors and rule.error_message:
                changed |= rule
                rule.error_message = False
            result.append((rule, domain, query))
        if changed:
            # as if the rule was archived or restored: the scores of the
            # leads it concerns are redone (once it is marked, so that this
            # rescoring finds it as it is now)
            changed._scoring_rescore_affected(
                changed.company_id,
                any_global=changed.filtered(lambda rule: not rule.company_id),
            )
        elif len(result) == len(rules) and not any(
            rule.error_message or rule._reads_other_records_eagerly() for rule in rules
        ):
            if len(cache) >= RULES_CACHE_SIZE:
                cache.clear()
            cache[cache_key] = tuple(
                (rule.id, domain, query) for rule, domain, query in result
            )
        return result

    def _reads_other_records_eagerly(self):
        """Whether the rule's domain is compiled with ids searched at once
        (``child_of``, ``parent_of``, at any depth): its compiled query is not
        kept."""
        self.ensure_one()
        return any(
            operator in (self.domain or "") for operator in ("child_of", "parent_of")
        )

    def _scoring_rescore_affected(self, companies, any_global=False):
        """Rescore the leads the given rules may touch: every lead when a
        company-less rule is involved, else the companies' leads; at once on
        a small database, in the background when they are many (see
        crm.lead.scoring.job)."""
        self.env.registry.clear_cache()  # fields that trigger a scoring
        batch = ScoringBatch.of(self.env)
        if batch and batch.deferred:
            return
        if any_global:
            self.env["crm.lead.scoring.job"]._scoring_request_rescore()
        elif companies:
            self.env["crm.lead.scoring.job"]._scoring_request_rescore(companies)
