import logging

from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: fields written by the scoring itself, which never trigger a new scoring
SCORE_FIELDS = {"lead_score", "score_rule_ids", "score_date", "score_history_ids"}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    lead_score = fields.Integer(
        string="Score",
        default=0,
        readonly=True,
        index=True,
        copy=False,
        aggregator="avg",
        help="Sum of the points of the scoring rules the lead matches now.",
    )
    score_rule_ids = fields.Many2many(
        "crm.lead.scoring.rule",
        "crm_lead_scoring_rule_rel",
        "lead_id",
        "rule_id",
        string="Matched Scoring Rules",
        readonly=True,
        copy=False,
    )
    score_date = fields.Datetime(
        readonly=True,
        copy=False,
        help="When the score last changed.",
    )
    score_history_ids = fields.One2many(
        "crm.lead.score.history",
        "lead_id",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if not self.env.context.get("lead_scoring_no_recompute"):
            leads.sudo()._score_leads()
        return leads

    def write(self, vals):
        res = super().write(vals)
        if (
            self.ids
            and not self.env.context.get("lead_scoring_no_recompute")
            and self._is_scoring_write(vals)
        ):
            self.sudo()._score_leads()
        return res

    @api.model
    def search_fetch(self, domain, field_names, offset=0, limit=None, order=None):
        # crm's team allocation hands out each team's leads in the order of
        # its search: the best scores first, deterministically
        if not order and self.env.context.get("lead_scoring_allocation"):
            order = "lead_score DESC, id"
        return super().search_fetch(
            domain, field_names, offset=offset, limit=limit, order=order
        )

    def sorted(self, key=None, reverse=False):
        # crm's salesperson assignment sorts the team's leads in Python (by
        # probability): make the score the first key and the id the last one
        if key is not None and self.env.context.get("lead_scoring_assignment"):
            sign = 1 if reverse else -1
            return super().sorted(
                key=lambda lead: (sign * lead.lead_score, key(lead), -sign * lead.id),
                reverse=reverse,
            )
        return super().sorted(key=key, reverse=reverse)

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        if not self.env.context.get("lead_scoring_assignment"):
            return super().convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )
        # automatic assignment: a team may keep its assigned leads as leads
        keep = self.filtered(lambda lead: not lead.team_id.assignment_convert)
        if keep:
            keep._handle_salesmen_assignment(user_ids=user_ids, team_id=team_id)
        if self - keep:
            super(CrmLead, self - keep).convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )
        return True

    def action_recompute_score(self):
        """Recompute the scores of the given leads."""
        self.sudo()._score_leads()
        return True

    @api.model
    def _cron_recompute_lead_scores(self):
        """Recompute every lead's score (catches time-based rules)."""
        self.sudo()._recompute_lead_scores()

    @api.model
    def _get_scoring_scope_domain(self):
        """Leads that have a score: active and not won."""
        return [
            ("active", "=", True),
            "|",
            ("stage_id", "=", False),
            ("stage_id.is_won", "=", False),
        ]

    @api.model
    def _is_scoring_write(self, vals):
        """Whether writing ``vals`` may change a score."""
        trigger_fields = self._get_scoring_trigger_fields()
        return trigger_fields is None or not trigger_fields.isdisjoint(vals)

    @api.model
    @tools.ormcache()
    def _get_scoring_trigger_fields(self):
        """Names of the lead fields whose writes may change a score: the
        fields the active rules and the scope use, and what they depend on;
        None when any write may (a rule searches a non-stored field)."""
        names = {"active", "stage_id", "company_id"}
        rules = (
            self.env["crm.lead.scoring.rule"]
            .sudo()
            .with_context(active_test=True)
            .search([])
        )
        for rule in rules:
            try:
                domain = rule._parse_domain()
            except Exception:  # noqa: BLE001 - skipped at scoring time as well
                continue
            for leaf in domain:
                if isinstance(leaf, list | tuple) and len(leaf) == 3:
                    names.add(str(leaf[0]).split(".", 1)[0])
        todo, result = list(names), set()
        while todo:
            name = todo.pop()
            if name in result:
                continue
            result.add(name)
            field = self._fields.get(name)
            if field is None:
                continue
            if not field.store:
                return None
            if field.compute:
                todo.extend(
                    path.split(".", 1)[0] for path in self.pool.field_depends[field]
                )
        return frozenset(result)

    def _score_leads(self):
        """Recompute the scores of the leads in self."""
        if self:
            self._recompute_lead_scores(scope_domain=[("id", "in", self.ids)])

    @api.model
    def _recompute_lead_scores(self, scope_domain=None):
        """Recompute the scores of the active, not won leads matching
        ``scope_domain`` (all of them when not given), set-based: one SQL
        statement computes the matches of every rule, updates the matched
        rules, the scores and writes the history of the changed scores."""
        Lead = self.sudo().with_context(active_test=False)
        self.env.flush_all()
        rules = Lead._get_scoring_rules()
        scope = Lead._search(
            expression.AND([scope_domain or [], self._get_scoring_scope_domain()])
        )
        Lead._score_scope(scope.subselect(), rules)
        self.env["crm.lead"].invalidate_model(
            ["lead_score", "score_date", "score_rule_ids", "score_history_ids"]
        )
        self.env["crm.lead.score.history"].invalidate_model()

    @api.model
    def _get_scoring_rules(self):
        """Active rules that can be applied, as (rule, lead domain); a rule
        whose domain cannot be applied any more is marked, logged, skipped."""
        rules = (
            self.env["crm.lead.scoring.rule"]
            .sudo()
            .with_context(active_test=True)
            .search([])
        )
        result = []
        for rule in rules:
            try:
                domain = rule._parse_domain()
                if rule.company_id:
                    domain = expression.AND(
                        [domain, [("company_id", "=", rule.company_id.id)]]
                    )
                self._search(domain)  # compiles the domain, runs no query
            except Exception as e:  # noqa: BLE001 - a broken rule never stops the others
                message = self.env._(
                    "The rule is skipped, its domain cannot be applied: %(error)s",
                    error=e,
                )
                _logger.warning(
                    "Lead scoring rule %s (%s) skipped: %s", rule.id, rule.name, e
                )
                if rule.error_message != message:
                    rule.error_message = message
                continue
            if rule.error_message:
                rule.error_message = False
            result.append((rule, domain))
        return result

    @api.model
    def _score_scope(self, scope, rules):
        """Score the leads selected by the SQL ``scope`` with ``rules`` (as
        given by ``_get_scoring_rules``), in one statement."""
        matches = []
        for rule, domain in rules:
            query = self._search(domain)
            query.add_where(
                SQL("%s IN (SELECT id FROM scope)", SQL.identifier(query.table, "id"))
            )
            matches.append(
                SQL(
                    "(%s)",
                    query.select(
                        SQL("%s AS lead_id", SQL.identifier(query.table, "id")),
                        SQL("%s AS rule_id", rule.id),
                        SQL("%s AS points", rule.points),
                    ),
                )
            )
        if not matches:
            matches = [
                SQL(
                    "SELECT NULL::int AS lead_id, NULL::int AS rule_id, 0 AS points "
                    "WHERE FALSE"
                )
            ]
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                WITH scope AS MATERIALIZED (%(scope)s),
                matched AS MATERIALIZED (%(matches)s),
                removed AS (
                    DELETE FROM crm_lead_scoring_rule_rel rel
                     WHERE rel.lead_id IN (SELECT id FROM scope)
                       AND NOT EXISTS (
                           SELECT 1 FROM matched m
                            WHERE m.lead_id = rel.lead_id AND m.rule_id = rel.rule_id)
                ),
                added AS (
                    INSERT INTO crm_lead_scoring_rule_rel (lead_id, rule_id)
                    SELECT m.lead_id, m.rule_id FROM matched m
                     WHERE NOT EXISTS (
                           SELECT 1 FROM crm_lead_scoring_rule_rel rel
                            WHERE rel.lead_id = m.lead_id AND rel.rule_id = m.rule_id)
                    ON CONFLICT DO NOTHING
                ),
                totals AS (
                    SELECT lead.id, lead.lead_score AS old_score,
                           COALESCE(t.total, 0) AS new_score
                      FROM crm_lead lead
                      JOIN scope ON scope.id = lead.id
                      LEFT JOIN (
                           SELECT lead_id, SUM(points) AS total
                             FROM matched GROUP BY lead_id
                      ) t ON t.lead_id = lead.id
                ),
                changed AS (
                    UPDATE crm_lead lead
                       SET lead_score = totals.new_score, score_date = %(now)s
                      FROM totals
                     WHERE lead.id = totals.id
                       AND lead.lead_score IS DISTINCT FROM totals.new_score
                 RETURNING lead.id, totals.old_score, totals.new_score
                )
                INSERT INTO crm_lead_score_history (lead_id, date, old_score, new_score)
                SELECT id, %(now)s, COALESCE(old_score, 0), new_score FROM changed
                """,
                scope=scope,
                matches=SQL(" UNION ALL ").join(matches),
                now=now,
            )
        )
