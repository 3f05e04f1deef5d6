import logging

from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL, sql

_logger = logging.getLogger(__name__)

#: fields written by the scoring itself, which never trigger a new scoring
SCORE_FIELDS = {
    "lead_score",
    "score_rule_ids",
    "score_rule_data",
    "score_date",
    "score_history_ids",
}


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
        string="Matched Scoring Rules",
        compute="_compute_score_rule_ids",
        search="_search_score_rule_ids",
        help="The scoring rules the lead matched at its last scoring.",
    )
    score_rule_data = fields.Json(
        string="Matched Scoring Rule IDs",
        readonly=True,
        copy=False,
        help="Sorted ids of the rules matched at the last scoring, kept with the "
        "score so that scoring a batch is a single update of its leads.",
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

    @api.depends("score_rule_data")
    def _compute_score_rule_ids(self):
        Rule = self.env["crm.lead.scoring.rule"].with_context(active_test=False)
        rule_ids = {
            rule_id for lead in self for rule_id in (lead.score_rule_data or [])
        }
        existing = set(Rule.browse(rule_ids).exists().ids)
        for lead in self:
            lead.score_rule_ids = Rule.browse(
                [rid for rid in (lead.score_rule_data or []) if rid in existing]
            )

    def _search_score_rule_ids(self, operator, value):
        if operator in ("=", "!=") and not value:
            # no rule matched / some rule matched
            empty = [("score_rule_data", "=", False)]
            return empty if operator == "=" else ["!", *empty]
        positive = operator not in expression.NEGATIVE_TERM_OPERATORS
        Rule = self.env["crm.lead.scoring.rule"].with_context(active_test=False)
        if isinstance(value, str):
            rule_ids = Rule._search(
                [("name", operator if positive else "ilike", value)]
            )
            rule_ids = list(rule_ids)
        else:
            rule_ids = [value] if isinstance(value, int) else list(value or [])
        matching = SQL(
            """(
                SELECT lead.id FROM crm_lead lead
                 WHERE jsonb_typeof(lead.score_rule_data) = 'array'
                   AND EXISTS (
                       SELECT 1 FROM jsonb_array_elements(lead.score_rule_data) e
                        WHERE e::int = ANY(%s))
            )""",
            list(rule_ids),
        )
        return [("id", "in" if positive else "not in", matching)]

    def _auto_init(self):
        # the leads existing at install score 0 until they are scored: a
        # column default PostgreSQL records without rewriting the table,
        # instead of the ORM's UPDATE of every lead
        if sql.table_exists(self.env.cr, self._table) and not sql.column_exists(
            self.env.cr, self._table, "lead_score"
        ):
            self.env.cr.execute(
                SQL(
                    "ALTER TABLE %(table)s ADD COLUMN lead_score int4 DEFAULT 0;"
                    " ALTER TABLE %(table)s ALTER COLUMN lead_score DROP DEFAULT;"
                    " COMMENT ON COLUMN %(table)s.lead_score IS %(comment)s",
                    table=SQL.identifier(self._table),
                    comment=self._fields["lead_score"].string,
                )
            )
        return super()._auto_init()

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
        statement computes the matches of every rule, updates the scores and
        matched rules of the leads whose result changed and writes the history
        of the changed scores."""
        Lead = self.sudo().with_context(active_test=False)
        self.env.flush_all()
        rules = Lead._get_scoring_rules()
        Lead._score_scope(scope_domain, rules)
        self.env["crm.lead"].invalidate_model(
            [
                "lead_score",
                "score_date",
                "score_rule_data",
                "score_rule_ids",
                "score_history_ids",
            ]
        )
        self.env["crm.lead.score.history"].invalidate_model()

    @api.model
    def _get_scoring_rules(self):
        """Active rules that can be applied, as (rule, compiled lead query); a rule
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
                query = self._search(domain)  # compiles it, runs no query
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
            result.append((rule, query))
        return result

    @api.model
    def _score_scope(self, scope_domain, rules):
        """Score the leads matching ``scope_domain`` (every lead when None)
        with ``rules`` (as given by ``_get_scoring_rules``), in one statement:
        a single scan of the leads evaluates the condition of every rule, and
        only the leads whose score or matched rules changed are updated."""
        lead_id = SQL.identifier(self._table, "id")
        scope = self._search(
            expression.AND([scope_domain or [], self._get_scoring_scope_domain()])
        )
        conditions = []
        for __, query in rules:
            if query._joins or query.table != self._table:
                # the rule needs joins: test the lead's id against its query
                conditions.append(SQL("%s IN %s", lead_id, query.subselect()))
            else:
                conditions.append(
                    query.where_clause if query._where_clauses else SQL("TRUE")
                )
        if conditions:
            flags = SQL(
                "ARRAY[%s]",
                SQL(", ").join(
                    SQL("COALESCE((%s), FALSE)", condition) for condition in conditions
                ),
            )
            new_score = SQL(" + ").join(
                SQL("CASE WHEN m.flags[%s] THEN %s ELSE 0 END", index, rule.points)
                for index, (rule, __) in enumerate(rules, start=1)
            )
            rule_ids = SQL(
                "array_remove(ARRAY[%s], NULL)",
                SQL(", ").join(
                    SQL("CASE WHEN m.flags[%s] THEN %s END", index, rule.id)
                    for index, (rule, __) in enumerate(rules, start=1)
                ),
            )
        else:
            flags, new_score, rule_ids = SQL("NULL"), SQL("0"), SQL("ARRAY[]::int[]")
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                """
                -- no JIT compilation: it costs more than the statement saves
                SELECT set_config('lead_scoring.jit', current_setting('jit'), true),
                       set_config('jit', 'off', true);
                WITH flagged AS MATERIALIZED (%(leads)s),
                computed AS MATERIALIZED (
                    SELECT m.id, m.old_score, m.old_rule_ids,
                           %(new_score)s AS new_score,
                           CASE WHEN cardinality(%(rule_ids)s) > 0
                                THEN to_jsonb(%(rule_ids)s) END AS new_rule_ids
                      FROM flagged AS m
                ),
                changed AS (
                    UPDATE crm_lead lead
                       SET lead_score = c.new_score,
                           score_rule_data = c.new_rule_ids,
                           score_date = CASE
                               WHEN c.old_score IS DISTINCT FROM c.new_score
                               THEN %(now)s ELSE lead.score_date END
                      FROM computed c
                     WHERE lead.id = c.id
                       AND (c.old_score IS DISTINCT FROM c.new_score
                            OR c.old_rule_ids IS DISTINCT FROM c.new_rule_ids)
                 RETURNING lead.id, c.old_score, c.new_score
                )
                INSERT INTO crm_lead_score_history (lead_id, date, old_score, new_score)
                SELECT id, %(now)s, COALESCE(old_score, 0), new_score FROM changed
                 WHERE old_score IS DISTINCT FROM new_score;
                SELECT set_config('jit', current_setting('lead_scoring.jit'), true)
                """,
                leads=scope.select(
                    SQL("%s AS id", lead_id),
                    SQL("%s AS old_score", SQL.identifier(self._table, "lead_score")),
                    SQL(
                        "%s AS old_rule_ids",
                        SQL.identifier(self._table, "score_rule_data"),
                    ),
                    SQL("%s AS flags", flags),
                ),
                new_score=new_score,
                rule_ids=rule_ids,
                now=now,
            )
        )
