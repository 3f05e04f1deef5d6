import json
from contextlib import contextmanager

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

#: the lead's fields the scoring computes: no create, write or import sets them
SCORE_FIELDS = (
    "lead_score",
    "score_rule_ids",
    "score_rule_data",
    "score_date",
    "score_history_ids",
    "score_bucket",
)


#: memory of each sort or hash of the scoring statement (PostgreSQL's
#: work_mem, set for the statement only): the default 4 MB spills the join of
#: a million leads with their scores to temporary files
SCORING_WORK_MEM = "64MB"


class ScoringBatch:
    """The leads a create or write of leads rescores, with those of the writes
    it makes in turn (e.g. lead_management filling the team from the
    territory): scored once when it ends, so that one change logs one history
    row. It travels in the context (``lead_scoring_batch``), where no RPC
    client can put one: a client's context holds only JSON values, and a batch
    is recognised by its class.

    A *deferred* batch (``defer_scoring``) is never scored by itself: the
    server code that opened it scores the leads when it chooses (crm's
    assignment, by bundle) or not at all (the benchmark's set-up)."""

    __slots__ = ("deferred", "lead_ids", "open")

    def __init__(self, deferred=False):
        self.lead_ids = set()
        self.open = True
        self.deferred = deferred

    def score(self, env):
        if self.lead_ids and not self.deferred:
            env["crm.lead"].browse(sorted(self.lead_ids))._score_leads()

    @classmethod
    def of(cls, env):
        """The open batch of ``env``'s context, or None."""
        batch = env.context.get("lead_scoring_batch")
        return batch if isinstance(batch, cls) and batch.open else None


class ScoreRowAlias:
    """The alias of the rows of crm.lead.score that a condition on the score
    fields reads (``_search_score_field``), given to ``_field_to_sql`` in the
    context (``lead_score_row_alias``). Recognised by its class and equal only
    to itself (Odoo reuses an environment whose context compares equal), so
    that no client's context can make a query read another alias."""

    __slots__ = ("alias",)

    def __init__(self, alias):
        self.alias = alias


#: the alias of the rows of crm.lead.score in the searches on the score
SCORE_ROW_ALIAS = ScoreRowAlias("s")


def defer_scoring(records):
    """``records`` in a deferred scoring batch: their creates and writes of
    leads, and the changes of scoring rules, rescore nothing; the caller
    scores what it wants (``crm.lead._score_leads``)."""
    return records.with_context(lead_scoring_batch=ScoringBatch(deferred=True))


#: score ranges of the lead analysis, lowest first: (key, label, lowest score
#: of the range); the first range takes every lower score
SCORE_BUCKETS = [
    ("below_0", "Below 0", None),
    ("0", "Zero", 0),
    ("1_24", "1 to 24", 1),
    ("25_49", "25 to 49", 25),
    ("50_74", "50 to 74", 50),
    ("75_99", "75 to 99", 75),
    ("100", "100 and more", 100),
]


def score_bucket_of(score):
    """The key of the score range of ``score`` (see SCORE_BUCKETS)."""
    bucket = SCORE_BUCKETS[0][0]
    for key, __, lowest in SCORE_BUCKETS[1:]:
        if (score or 0) >= lowest:
            bucket = key
    return bucket


#: the lead's score fields stored in crm.lead.score: {field: column}
SCORE_COLUMNS = {
    "lead_score": "score",
    "score_bucket": "score",
    "score_date": "date",
}


def score_bucket_sql(score):
    """SQL twin of ``score_bucket_of`` for the SQL expression ``score``."""
    cases = [
        SQL("WHEN %s >= %s THEN %s", score, lowest, key)
        for key, __, lowest in reversed(SCORE_BUCKETS[1:])
    ]
    return SQL("CASE %s ELSE %s END", SQL(" ").join(cases), SCORE_BUCKETS[0][0])


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # the score fields read the lead's row of crm.lead.score (a narrow table
    # the scoring writes, see _score_scope); they search, sort and group in
    # SQL through _field_to_sql and their search methods
    lead_score = fields.Integer(
        string="Score",
        compute="_compute_score_values",
        search="_search_lead_score",
        readonly=True,
        aggregator="avg",
        help="Sum of the points of the scoring rules the lead matches now.",
    )
    score_bucket = fields.Selection(
        [(key, label) for key, label, __ in SCORE_BUCKETS],
        string="Score Range",
        compute="_compute_score_values",
        search="_search_score_bucket",
        readonly=True,
        help="The range of the lead's score, to analyse how scores are distributed.",
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
        compute="_compute_score_values",
        readonly=True,
        help="Sorted ids of the rules matched at the last scoring.",
    )
    score_date = fields.Datetime(
        compute="_compute_score_values",
        search="_search_score_date",
        readonly=True,
        help="When the score last changed.",
    )
    score_history_ids = fields.One2many(
        "crm.lead.score.history",
        "lead_id",
        readonly=True,
    )
    score_pending = fields.Boolean(
        string="Score Being Updated",
        compute="_compute_score_pending",
        help="A change of the scoring rules is being applied in the "
        "background and has not reached this lead yet: its score is the one "
        "of the previous rules.",
    )

    def _compute_score_values(self):
        """Read the leads' rows of crm.lead.score, in one query."""
        rows = {}
        lead_ids = [lead_id for lead_id in self._ids if isinstance(lead_id, int)]
        if lead_ids:
            self.env.cr.execute(
                SQL(
                    "SELECT lead_id, score, rule_data, date FROM crm_lead_score"
                    " WHERE lead_id = ANY(%s)",
                    lead_ids,
                )
            )
            rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for lead in self:
            score, rule_data, date = rows.get(lead._origin.id) or (0, None, False)
            lead.lead_score = score
            lead.score_bucket = score_bucket_of(score)
            lead.score_rule_data = rule_data
            lead.score_date = date

    @api.model
    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """The score fields in SQL: columns of the lead's row of
        crm.lead.score (joined, or a subquery without query), 0 for a lead
        without a row; the score range is computed from the score."""
        if fname not in SCORE_COLUMNS:
            return super()._field_to_sql(alias, fname, query, flush)
        self.check_field_access_rights("read", [fname])
        column = SCORE_COLUMNS[fname]
        score_alias = self.env.context.get("lead_score_row_alias")
        if isinstance(score_alias, ScoreRowAlias):  # searches: the rows
            value = SQL.identifier(score_alias.alias, column)
        elif query is None:
            value = SQL(
                "(SELECT s.%s FROM crm_lead_score s WHERE s.lead_id = %s)",
                SQL.identifier(column),
                SQL.identifier(alias, "id"),
            )
        else:
            value = SQL.identifier(self._join_lead_score(query, alias), column)
        if fname == "score_date":
            return value
        score = SQL("COALESCE(%s, 0)", value)
        return score_bucket_sql(score) if fname == "score_bucket" else score

    @api.model
    def _join_lead_score(self, query, alias=None):
        """Left-join the leads of ``query`` (its table, or ``alias``) to their
        row of crm.lead.score; return the alias of that row (the same join,
        made once, whoever asks)."""
        alias = alias or query.table
        score_alias = query.make_alias(alias, "lead_score")
        query.add_join(
            "LEFT JOIN",
            score_alias,
            "crm_lead_score",
            SQL(
                "%s = %s",
                SQL.identifier(score_alias, "lead_id"),
                SQL.identifier(alias, "id"),
            ),
        )
        return score_alias

    @api.model
    def _read_group_orderby(self, order, groupby_terms, query):
        """Groups by score range in the order of the ranges (below 0 first),
        not in the alphabetical order of their keys."""
        if "score_bucket" in groupby_terms:
            groupby_terms = dict(
                groupby_terms,
                score_bucket=SQL(
                    "array_position(%s::varchar[], %s)",
                    [key for key, __, __ in SCORE_BUCKETS],
                    groupby_terms["score_bucket"],
                ),
            )
        return super()._read_group_orderby(order, groupby_terms, query)

    def _search_score_field(self, fname, operator, value):
        """Leads whose score field ``fname`` satisfies ``operator value``: a
        condition on the rows of crm.lead.score (using their indexes), or on
        the rows that do not satisfy it when a lead without a row (score 0,
        no date) does."""
        scored = self.with_context(lead_score_row_alias=SCORE_ROW_ALIAS)
        condition = scored._condition_to_sql(
            SCORE_ROW_ALIAS.alias, fname, operator, value, None
        )
        if not self.new({}).filtered_domain([(fname, operator, value)]):
            rows = SQL("(SELECT s.lead_id FROM crm_lead_score s WHERE %s)", condition)
            return [("id", "in", rows)]
        rows = SQL(
            "(SELECT s.lead_id FROM crm_lead_score s WHERE (%s) IS NOT TRUE)",
            condition,
        )
        return [("id", "not in", rows)]

    def _search_lead_score(self, operator, value):
        return self._search_score_field("lead_score", operator, value)

    def _search_score_bucket(self, operator, value):
        return self._search_score_field("score_bucket", operator, value)

    def _search_score_date(self, operator, value):
        return self._search_score_field("score_date", operator, value)

    @api.depends("score_rule_data")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_score_rule_ids(self):
        """The matched rules the user may read: a lead without company is
        scored by the rules of every company, those of the companies the user
        is not in stay hidden."""
        Rule = self.env["crm.lead.scoring.rule"].with_context(active_test=False)
        rule_ids = {
            rule_id for lead in self for rule_id in (lead.score_rule_data or [])
        }
        existing = set(Rule.browse(rule_ids).exists()._filtered_access("read").ids)
        for lead in self:
            lead.score_rule_ids = Rule.browse(
                [rid for rid in (lead.score_rule_data or []) if rid in existing]
            )

    def _compute_score_pending(self):
        domain = self.env["crm.lead.scoring.job"]._get_pending_domain()
        pending = set()
        if domain is not None and self.ids:
            # sudo: which leads are pending is not a matter of access rights
            pending = set(
                self.sudo()
                .with_context(active_test=False)
                ._search(expression.AND([domain, [("id", "in", self.ids)]]))
            )
        for lead in self:
            lead.score_pending = lead._origin.id in pending

    def _search_score_rule_ids(self, operator, value):
        if operator in ("=", "!=") and not value:
            # no rule matched / some rule matched
            matched = SQL(
                "(SELECT lead_id FROM crm_lead_score WHERE rule_data IS NOT NULL)"
            )
            return [("id", "not in" if operator == "=" else "in", matched)]
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
                SELECT s.lead_id FROM crm_lead_score s
                 WHERE jsonb_typeof(s.rule_data) = 'array'
                   AND EXISTS (
                       SELECT 1 FROM jsonb_array_elements(s.rule_data) e
                        WHERE e::int = ANY(%s))
            )""",
            list(rule_ids),
        )
        return [("id", "in" if positive else "not in", matching)]

    @api.model
    def default_get(self, fields_list):
        """No default (e.g. a client's ``default_lead_score`` context key)
        gives a lead a value of the score fields (``SCORE_FIELDS``)."""
        return super().default_get(
            [name for name in fields_list if name not in SCORE_FIELDS]
        )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self.browse()._check_score_values(vals) for vals in vals_list]
        # the writes creating the leads makes (e.g. their team from their
        # territory) are scored with the creation: one scoring, one history row
        with self._collect_scoring() as (model, batch):
            leads = super(CrmLead, model).create(vals_list)
            batch.lead_ids.update(leads.ids)
        return leads.with_env(self.env)

    def write(self, vals):
        vals = self._check_score_values(vals)
        if not self.ids:
            return super().write(vals)
        with self._collect_scoring() as (leads, batch):
            return leads._write_and_collect(vals, batch)

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        # crm writes the conversion, then the salespersons: one scoring
        with self._collect_scoring() as (leads, batch):
            return super(CrmLead, leads).convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )

    @contextmanager
    def _collect_scoring(self):
        """Yield (self in a scoring batch, the batch): the leads the creates
        and writes of leads made inside add to the batch are scored once at
        the end, by the outermost batch."""
        batch = ScoringBatch.of(self.env)
        if batch:
            yield self, batch
            return
        batch = ScoringBatch()
        try:
            yield self.with_context(lead_scoring_batch=batch), batch
        finally:
            batch.open = False
        batch.score(self.env)

    def _check_score_values(self, vals):
        """``vals`` without the score fields (``SCORE_FIELDS``): computed by the
        scoring, they cannot be set by a create, a write or an import. A value
        equal to the one stored (e.g. an exported file imported back) is
        ignored; any other value is refused."""
        refused = self._get_changed_protected_fields(vals, SCORE_FIELDS)
        if refused:
            raise UserError(
                self.env._(
                    "The score of a lead is computed from the scoring rules it "
                    "matches: %(fields)s cannot be set.",
                    fields=", ".join(refused),
                )
            )
        return {name: value for name, value in vals.items() if name not in SCORE_FIELDS}

    def _get_changed_protected_fields(self, vals, fnames):
        """Labels of the fields of ``fnames`` that ``vals`` would change on the
        leads of self (on a new lead when self is empty: any value but an
        empty one)."""
        changed = []
        for name in fnames:
            if name not in vals:
                continue
            field = self._fields[name]
            value = field.convert_to_record(
                field.convert_to_cache(vals[name], self[:1], validate=False),
                self[:1],
            )
            if (not self and value) or any(lead[name] != value for lead in self):
                changed.append(f"{field._description_string(self.env)} ({name})")
        return changed

    def _write_and_collect(self, vals, batch):
        """Write ``vals`` on the leads and add to ``batch`` those whose score
        the write may change."""
        triggers = self._get_scoring_trigger_fields()
        if triggers is None or not triggers["direct"].isdisjoint(vals):
            res = super().write(vals)
            batch.lead_ids.update(self.ids)
            return res
        # fields computed from what is written (e.g. the company from the
        # team): rescore only the leads where they changed in a way that
        # matters to the rules
        watched = {
            name
            for dependency, names in triggers["indirect"].items()
            if dependency in vals
            for name in names
        }
        if not watched:
            return super().write(vals)
        before = {lead.id: lead._get_scoring_watched_values(watched) for lead in self}
        res = super().write(vals)
        changed = self.filtered(
            lambda lead: lead._scoring_values_differ(
                before[lead.id], lead._get_scoring_watched_values(watched), triggers
            )
        )
        batch.lead_ids.update(changed.ids)
        return res

    def _get_scoring_watched_values(self, names):
        """Values of the watched fields as the rules and the scope see them:
        the company's id, whether the stage is won, other values as read."""
        self.ensure_one()
        values = {}
        for name in names:
            if name == "stage_id":
                values[name] = (self.stage_id.id, self.stage_id.is_won)
            elif self._fields[name].type == "many2one":
                values[name] = self[name].id
            elif self._fields[name].type in ("one2many", "many2many"):
                values[name] = frozenset(self[name].ids)
            else:
                values[name] = self[name]
        return values

    @api.model
    def _scoring_values_differ(self, before, after, triggers):
        for name, old in before.items():
            new = after[name]
            if old == new:
                continue
            if name == "stage_id" and "stage_id" not in triggers["used"]:
                if old[1] != new[1]:  # won or not: the scope of the scoring
                    return True
            elif name == "company_id" and "company_id" not in triggers["used"]:
                if self._scoring_company_change_matters(old, new, triggers):
                    return True
            else:
                return True
        return False

    @api.model
    def _scoring_company_change_matters(self, old, new, triggers):
        """Whether moving a lead from company ``old`` to ``new`` changes the
        rules that apply to it: a rule of company C scores the leads of C and
        the leads without company."""
        companies = triggers["companies"]
        if not old:
            return bool(companies - {new})
        if not new:
            return bool(companies - {old})
        return bool(companies & {old, new})

    def action_recompute_score(self):
        """Recompute the scores of the given leads, which the user may edit."""
        self.check_access("write")
        self._score_leads()
        return True

    @api.model
    def _cron_recompute_lead_scores(self):
        """The nightly pass: rescore the leads whose matches changed without
        a write of theirs (see ``_get_scoring_drifted_lead_ids``), at once
        when they are few, else every lead in batches by the rescoring cron.
        A write of a lead rescores it and a change of the rules rescores the
        leads it concerns, so the other rules need no evaluation here."""
        Job = self.env["crm.lead.scoring.job"]
        jobs, scope = Job._get_run()
        if jobs and not scope:
            return  # every lead is being rescored anyway
        limit = Job._get_sync_limit()
        lead_ids = self._get_scoring_drifted_lead_ids()
        if len(lead_ids) > limit:
            Job._request_rescoring()
        elif lead_ids:
            self._recompute_lead_scores(scope_domain=[("id", "in", lead_ids)])

    @api.model
    def _get_scoring_drifted_lead_ids(self):
        """Ids of the leads in scope whose score may be out of date without
        any write of theirs: those one of the rules changing without a write
        (relative to today, reading other records, see
        ``crm.lead.scoring.rule._changes_without_write``) matches now and did
        not at their last scoring, or the reverse. One scan of the leads
        evaluating only those rules; none without such rules. (A rule that
        breaks or mends without a write rescores its leads when the rules are
        loaded, see ``_load_scoring_rules``.)"""
        Lead = self.sudo().with_context(active_test=False)
        rules = Lead._get_scoring_rules()
        volatile = [
            (rule, query) for rule, query in rules if rule._changes_without_write()
        ]
        query = Lead._search(Lead._get_scoring_scope_domain())
        scores = Lead._join_lead_score(query)
        rule_data = SQL.identifier(scores, "rule_data")
        drifts = [
            SQL(
                "COALESCE((%s), FALSE) <> COALESCE(%s @> %s::jsonb, FALSE)",
                condition,
                rule_data,
                json.dumps([rule.id]),
            )
            for (rule, __), condition in zip(
                volatile, Lead._get_scoring_conditions(volatile), strict=True
            )
        ]
        if not drifts:
            return []
        query.add_where(SQL("(%s)", SQL(" OR ").join(drifts)))
        # PostgreSQL cannot estimate the comparisons and expects most leads
        # to pass them, so it would scan in one process to spare sending
        # them between processes; few do: let it use its parallel workers
        # (this only reads), with the hash of the scores in memory and no JIT
        # compilation (as the scoring statement)
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT set_config('lead_scoring.parallel_tuple_cost',
                                  current_setting('parallel_tuple_cost'), true),
                       set_config('lead_scoring.work_mem',
                                  current_setting('work_mem'), true),
                       set_config('lead_scoring.jit', current_setting('jit'), true),
                       set_config('parallel_tuple_cost', '0.001', true),
                       set_config('work_mem', %s, true),
                       set_config('jit', 'off', true)
                """,
                SCORING_WORK_MEM,
            )
        )
        lead_ids = [
            row[0]
            for row in self.env.execute_query(
                query.select(SQL.identifier(Lead._table, "id"))
            )
        ]
        cr.execute(
            """
            SELECT set_config('parallel_tuple_cost',
                              current_setting('lead_scoring.parallel_tuple_cost'),
                              true),
                   set_config('work_mem',
                              current_setting('lead_scoring.work_mem'), true),
                   set_config('jit', current_setting('lead_scoring.jit'), true)
            """
        )
        return lead_ids

    @api.model
    def _get_scoring_sql_written_fields(self):
        """Fields of the lead crm writes in SQL, outside the ORM (the
        predictive lead scoring cron's probabilities): a rule reading them
        changes without a write."""
        return {"probability", "automated_probability"}

    @api.model
    def _scoring_field_changes_without_write(self, field):
        """Whether the value of the lead's ``field`` may change without a
        write of the lead that rescores it: not stored, written in SQL, or
        computed from other records (e.g. ``email_from`` from the
        customer's email), directly or through the lead's other fields."""
        todo, seen = [field], set()
        sql_written = self._get_scoring_sql_written_fields()
        while todo:
            current = todo.pop()
            if current.name in seen:
                continue
            seen.add(current.name)
            if not current.store or current.name in sql_written:
                return True
            if not current.compute:
                continue
            for path in self.pool.field_depends[current]:
                dependency = self._fields.get(path)
                if dependency is None:  # a path into another model
                    return True
                todo.append(dependency)
        return False

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
    @tools.ormcache()
    def _get_scoring_trigger_fields(self):
        """What writes may change a score, for the active rules:

        - ``direct``: fields the rules and the scope read, a write of which
          rescores the written leads;
        - ``indirect``: {field written: stored computed fields read by the
          rules or the scope that depend on it}, compared before and after;
        - ``used``: fields the rules' domains read themselves;
        - ``companies``: ids of the companies having rules.

        None when any write may change a score (a rule reads a field that is
        not stored). Nothing triggers a scoring when no rule is active."""
        rules = [
            (rule, domain)
            for rule, domain, __ in self.env[
                "crm.lead.scoring.rule"
            ]._load_scoring_rules(mark_errors=False)
        ]
        if not rules:
            return {
                "direct": frozenset(),
                "indirect": {},
                "used": frozenset(),
                "companies": frozenset(),
            }
        used = set()
        for __, domain in rules:
            for leaf in domain:
                if isinstance(leaf, list | tuple) and len(leaf) == 3:
                    used.add(str(leaf[0]).split(".", 1)[0])
        companies = frozenset(
            rule.company_id.id for rule, __ in rules if rule.company_id
        )
        direct = used | {"active"}
        watched = {"stage_id"} | ({"company_id"} if companies else set())
        direct |= watched & used
        watched -= used
        # a watched field written itself is compared like a computed one
        indirect = {name: {name} for name in watched}
        for name in direct | watched:
            field = self._fields.get(name)
            if field is None:
                continue
            if not field.store:
                return None
            if not field.compute:
                continue
            for dependency in self._get_scoring_dependencies(field):
                if name in direct and dependency != name:
                    indirect.setdefault(dependency, set()).add(name)
                elif name in watched:
                    indirect.setdefault(dependency, set()).add(name)
        return {
            "direct": frozenset(direct),
            "indirect": {key: frozenset(names) for key, names in indirect.items()},
            "used": frozenset(used),
            "companies": companies,
        }

    @api.model
    def _get_scoring_dependencies(self, field):
        """Names of the lead's fields ``field`` is computed from, transitively."""
        todo, result = [field.name], set()
        while todo:
            name = todo.pop()
            dependency = self._fields.get(name)
            if dependency is None or not dependency.compute:
                continue
            for path in self.pool.field_depends[dependency]:
                top = path.split(".", 1)[0]
                if top not in result:
                    result.add(top)
                    todo.append(top)
        result.discard(field.name)
        return result

    def _score_leads(self):
        """Recompute the scores of the leads in self (nothing to do while no
        rule is active: every score is then 0)."""
        triggers = self._get_scoring_trigger_fields()
        if self and (triggers is None or triggers["direct"]):
            self._recompute_lead_scores(scope_domain=[("id", "in", self.ids)])

    @api.model
    def _recompute_lead_scores(self, scope_domain=None):
        """Recompute the scores of the active, not won leads matching
        ``scope_domain`` (all of them when not given), set-based: one SQL
        statement computes the matches of every rule, updates the scores and
        matched rules of the leads whose result changed and writes the history
        of the changed scores."""
        # sudo: a score is the sum of every rule the lead matches, whoever
        # triggers it (a salesperson's edit, a manager's rule, the cron), and
        # that includes the rules of other companies scoring a lead without
        # company, and leads the user no longer sees once their edit is saved
        # (assigned to a colleague); the scores and history rows are written
        # in SQL, the rules' domains compiled as they are
        Lead = self.sudo().with_context(active_test=False)
        rules = Lead._get_scoring_rules()
        Lead._score_scope(scope_domain, rules)
        self.env["crm.lead"].invalidate_model(
            [
                "lead_score",
                "score_bucket",
                "score_date",
                "score_rule_data",
                "score_rule_ids",
                "score_history_ids",
            ]
        )
        self.env["crm.lead.score"].invalidate_model()
        self.env["crm.lead.score.history"].invalidate_model()

    @api.model
    def _get_scoring_rules(self):
        """Active rules that can be applied, as (rule, compiled lead query)."""
        return [
            (rule, query)
            for rule, __, query in self.env[
                "crm.lead.scoring.rule"
            ]._load_scoring_rules()
        ]

    @api.model
    def _get_scoring_conditions(self, rules):
        """The SQL condition of each of ``rules`` (as given by
        ``_get_scoring_rules``) on a row of crm_lead of the lead query."""
        lead_id = SQL.identifier(self._table, "id")
        conditions = []
        for __, query in rules:
            if query._joins or query.table != self._table:
                # the rule needs joins: test the lead's id against its query
                conditions.append(SQL("%s IN %s", lead_id, query.subselect()))
            else:
                conditions.append(
                    query.where_clause if query._where_clauses else SQL("TRUE")
                )
        return conditions

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
        conditions = self._get_scoring_conditions(rules)
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
        scores = self._join_lead_score(scope)
        now = self.env.cr.now()
        # flushes exactly the fields the rules and the scope read (their
        # SQL carries them), not every pending computation of the request;
        # writes only the rows of crm_lead_score whose score or matched rules
        # changed, and one history row per changed score
        self.env.execute_query(
            SQL(
                """
                -- no JIT compilation: it costs more than the statement saves;
                -- the hash of the scores joined in memory, not on disk
                SELECT set_config('lead_scoring.jit', current_setting('jit'), true),
                       set_config('lead_scoring.work_mem',
                                  current_setting('work_mem'), true),
                       set_config('jit', 'off', true),
                       set_config('work_mem', %(work_mem)s, true);
                WITH flagged AS MATERIALIZED (%(leads)s),
                computed AS MATERIALIZED (
                    SELECT m.id, m.old_score, m.old_rule_ids,
                           %(new_score)s AS new_score,
                           CASE WHEN cardinality(%(rule_ids)s) > 0
                                THEN to_jsonb(%(rule_ids)s) END AS new_rule_ids
                      FROM flagged AS m
                ),
                changed AS MATERIALIZED (
                    SELECT * FROM computed c
                     WHERE c.old_score IS DISTINCT FROM c.new_score
                        OR c.old_rule_ids IS DISTINCT FROM c.new_rule_ids
                ),
                written AS (
                    INSERT INTO crm_lead_score AS s (lead_id, score, rule_data, date)
                    SELECT id, new_score, new_rule_ids, %(now)s FROM changed
                    ON CONFLICT (lead_id) DO UPDATE
                       SET score = EXCLUDED.score,
                           rule_data = EXCLUDED.rule_data,
                           date = CASE WHEN s.score IS DISTINCT FROM EXCLUDED.score
                                       THEN EXCLUDED.date ELSE s.date END
                )
                INSERT INTO crm_lead_score_history (lead_id, date, old_score, new_score)
                SELECT id, %(now)s, old_score, new_score FROM changed
                 WHERE old_score IS DISTINCT FROM new_score;
                SELECT set_config('jit', current_setting('lead_scoring.jit'), true),
                       set_config('work_mem',
                                  current_setting('lead_scoring.work_mem'), true)
                """,
                leads=scope.select(
                    SQL("%s AS id", lead_id),
                    SQL(
                        "COALESCE(%s, 0) AS old_score", SQL.identifier(scores, "score")
                    ),
                    SQL("%s AS old_rule_ids", SQL.identifier(scores, "rule_data")),
                    SQL("%s AS flags", flags),
                ),
                new_score=new_score,
                rule_ids=rule_ids,
                now=now,
                work_mem=SCORING_WORK_MEM,
            )
        )
