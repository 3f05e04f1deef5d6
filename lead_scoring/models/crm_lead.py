import json
from ast import literal_eval
from contextlib import contextmanager
from datetime import timedelta
from typing import NamedTuple

import psycopg2.extensions
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .crm_lead_score import LEAD_PRIORITIES

#: the lead's fields the scoring computes: no create, write or import sets them
SCORE_FIELDS = (
    "lead_score",
    "fit_score",
    "engagement_score",
    "score_rule_ids",
    "score_rule_data",
    "score_date",
    "score_history_ids",
    "score_bucket",
    "lead_priority",
    "lead_fit_grade",
    "lead_engagement_level",
)


#: memory of each sort or hash of the scoring statement (PostgreSQL's
#: work_mem, set for the statement only): the default 4 MB spills the join of
#: a million leads with their scores to temporary files
SCORING_WORK_MEM = "64MB"

#: PostgreSQL settings of the scoring statements: no JIT compilation (it
#: costs more than the statement saves), the hash of the scores joined in
#: memory, not on disk
SCORING_SETTINGS = {"jit": "off", "work_mem": SCORING_WORK_MEM}


def decayed_points_sql(points, half_life, now_epoch, last_epoch):
    """SQL of ``points`` halving every ``half_life`` days from the SQL epoch
    ``last_epoch`` (seconds, double precision, see ``epoch_sql``) to
    ``now_epoch``, rounded half away from zero (PostgreSQL rounds a numeric
    so): the scoring statement and the daily fading pass compute it alike."""
    # in double precision (a numeric power costs microseconds), the product
    # rounded as a numeric
    return SQL(
        "round((%s * power(0.5::float8, GREATEST(%s - %s, 0) / 86400.0 / %s))"
        "::numeric)::int",
        points,
        now_epoch,
        last_epoch,
        half_life,
    )


def epoch_sql(timestamp):
    """SQL of the epoch of the SQL ``timestamp`` in seconds, in double
    precision: exact to the microsecond for the dates of this century, and
    two dates whole days apart differ by exactly those days' seconds (the
    fading of the points rounds alike however they are stored)."""
    return SQL("date_part('epoch', %s)", timestamp)


def priority_sql(fit, engagement, thresholds):
    """SQL of the lead priority (A1 ... C3) of the SQL scores ``fit`` and
    ``engagement`` with ``thresholds`` (a company's values of
    PRIORITY_THRESHOLDS, in that order): one of nine constants, nothing
    built per lead."""
    a, b, one, two = thresholds

    def levels(grade):
        return SQL(
            "CASE WHEN %(eng)s >= %(one)s THEN %(p1)s WHEN %(eng)s >= %(two)s"
            " THEN %(p2)s ELSE %(p3)s END",
            eng=engagement,
            one=one,
            two=two,
            p1=f"{grade}1",
            p2=f"{grade}2",
            p3=f"{grade}3",
        )

    return SQL(
        "(CASE WHEN %(fit)s >= %(a)s THEN %(A)s WHEN %(fit)s >= %(b)s THEN %(B)s"
        " ELSE %(C)s END)",
        fit=fit,
        a=a,
        b=b,
        A=levels("A"),
        B=levels("B"),
        C=levels("C"),
    )


def lead_priority_of(fit, engagement, company):
    """The lead priority (A1 ... C3) of the scores ``fit`` and ``engagement``
    with the thresholds of ``company``, as ``priority_sql`` computes it (a
    change to one is made to the other)."""
    if fit >= company.lead_fit_grade_a:
        grade = "A"
    elif fit >= company.lead_fit_grade_b:
        grade = "B"
    else:
        grade = "C"
    if engagement >= company.lead_engagement_level_1:
        level = "1"
    elif engagement >= company.lead_engagement_level_2:
        level = "2"
    else:
        level = "3"
    return grade + level


def engagement_terms_sql(entries):
    """SQL of what the daily fading pass needs of a lead (see
    ``crm.lead._scoring_fade``) from ``entries``, one per rule whose
    points change with time alone: (rule id, SQL boolean: the lead matches
    it, SQL epochs: its latest event and when the lead stops matching or
    null, SQL integer: its points today). The result is a two-dimensional
    array of double precision, a row [rule id, latest event, end, points
    today] per rule the lead matches; NULL when none (``crm.lead.score
    .engagement_terms``)."""
    if not entries:
        return SQL("NULL::float8[]")
    # an array concatenated to NULL is itself: no row for the rules not
    # matched
    return SQL(" || ").join(
        SQL(
            "CASE WHEN %s THEN ARRAY[[%s, %s, %s, %s]]::float8[] END",
            matched,
            rule_id,
            last,
            expiry,
            points,
        )
        for rule_id, matched, last, expiry, points in entries
    )


def with_scoring_settings(statement, settings=None):
    """``statement`` run with the PostgreSQL ``settings`` (default
    SCORING_SETTINGS), those of the transaction restored after it, in the same
    execution: the statement's own results are not returned (see
    ``scoring_settings`` for a query whose rows are read)."""
    settings = settings or SCORING_SETTINGS
    return SQL("%s; %s; %s", _set_settings(settings), statement, _restore(settings))


def _set_settings(settings):
    return SQL(
        "SELECT %s",
        SQL(", ").join(
            SQL(
                "set_config(%s, current_setting(%s), true), set_config(%s, %s, true)",
                f"lead_scoring.{name}",
                name,
                name,
                value,
            )
            for name, value in settings.items()
        ),
    )


def _restore(settings):
    return SQL(
        "SELECT %s",
        SQL(", ").join(
            SQL(
                "set_config(%s, current_setting(%s), true)",
                name,
                f"lead_scoring.{name}",
            )
            for name in settings
        ),
    )


@contextmanager
def scoring_settings(cr, settings=None):
    """The PostgreSQL ``settings`` (default SCORING_SETTINGS) for the
    statements run inside, those of the transaction restored after them
    (even when one fails)."""
    settings = settings or SCORING_SETTINGS
    cr.execute(_set_settings(settings))
    try:
        yield
    finally:
        # a failed statement aborts the transaction (or its savepoint), whose
        # rollback takes back the settings with it
        if (
            not cr.closed
            and cr._cnx.get_transaction_status()
            != psycopg2.extensions.TRANSACTION_STATUS_INERROR
        ):
            cr.execute(_restore(settings))


class ScoringTerm(NamedTuple):
    """What a scoring rule adds to a lead, compiled for one query of leads
    (``crm.lead._get_scoring_terms``): every kind of rule compiles into one."""

    rule: models.BaseModel
    kind: str  # "fit" or "engagement"
    #: SQL boolean on the query's lead row: the lead matches the rule
    matched: SQL
    #: SQL integer: the points of a matching lead (they may fade with time)
    points: SQL
    #: SQL timestamp: the latest event counted (engagement rules), or None
    event_date: SQL | None = None
    #: SQL timestamp: when the lead stops matching if no new event comes (an
    #: engagement rule with a window: its K-th latest event leaves it), or
    #: None
    expiry: SQL | None = None


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
            env["crm.lead"].browse(sorted(self.lead_ids))._scoring_rescore_leads()

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
    scores what it wants (``crm.lead._scoring_rescore_leads``)."""
    return records.with_context(lead_scoring_batch=ScoringBatch(deferred=True))


class AssignmentRouting:
    """crm's assignment for the teams with minimums (or keeping assigned
    leads as leads), in the context (``lead_scoring_routing``), where no RPC
    client can put one (recognised by its class).

    crm's loops offer no hook for the domain and order of a team's leads in
    the allocation, nor for the order of its leads in the round robin, nor
    for assigning without converting: the smallest overrides of crm.lead
    apply them, recognising crm's own calls.

    - allocation (``crm.team._allocate_leads``): crm searches each team's
      leads once, in the order of the teams, with a domain holding
      ``allocation_mark`` (its creation date limit). ``_search`` adds the
      team's minimums and the priority order to that search.
    - assignment (``crm.team._assign_and_convert_leads``, ``assigning``):
      ``sorted`` puts crm's sort of a team's leads in priority order, and
      ``convert_opportunity`` only assigns the leads of a team that keeps
      them as leads.

    ``test_routing.TestCrmLoopFingerprint`` fails when crm's loops change, so
    that an update of Odoo gets them reviewed."""

    __slots__ = ("allocation", "allocation_mark", "assigning")

    def __init__(self, allocation=(), allocation_mark=None, assigning=False):
        self.allocation = list(allocation)
        self.allocation_mark = allocation_mark
        self.assigning = assigning

    @classmethod
    def of(cls, env):
        """The routing of ``env``'s context, or None."""
        routing = env.context.get("lead_scoring_routing")
        return routing if isinstance(routing, cls) else None

    def next_allocation_team(self, domain):
        """The team whose leads crm's allocation searches with ``domain``, or
        None when ``domain`` is not crm's search of a team's leads."""
        if not self.allocation or not any(
            isinstance(leaf, (list, tuple)) and tuple(leaf) == self.allocation_mark
            for leaf in domain
        ):
            return None
        team = self.allocation.pop(0)
        own = expression.normalize_domain(literal_eval(team.assignment_domain or "[]"))
        if own != expression.TRUE_DOMAIN and not _contains(domain, own):
            raise ValueError(
                f"crm's allocation searched {domain!r} for sales team {team.id}, "
                "without its assignment domain: crm.team._allocate_leads "
                "changed, review lead_scoring's AssignmentRouting."
            )
        return team


def _contains(domain, part):
    """Whether ``part`` is a run of consecutive items of ``domain``."""
    size = len(part)
    return any(list(domain[i : i + size]) == list(part) for i in range(len(domain)))


#: the order in which a team with minimums receives leads: the best priority
#: (A1, A2, A3, B1 ...), then the best score, then crm's order (its _order in
#: the allocation, the probability in the round robin)
PRIORITY_ORDER = "lead_priority, lead_score DESC"
ASSIGNMENT_ORDER = f"{PRIORITY_ORDER}, probability DESC, id"
#: crm's sort of a team's leads in its round robin
CRM_ASSIGNMENT_SORT = "Team._assign_and_convert_leads.<locals>.<lambda>"


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
    "fit_score": "fit_score",
    "engagement_score": "engagement_score",
    "score_bucket": "score",
    "score_date": "date",
    "lead_priority": "priority",
    "lead_fit_grade": "priority",
    "lead_engagement_level": "priority",
}

#: the priority of a lead without a row of crm.lead.score (no points: the
#: thresholds are at least 1)
NO_PRIORITY = "C3"


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
    # the scoring writes, see _scoring_rescore_scope); they search, sort and group in
    # SQL through _field_to_sql and their search methods
    lead_score = fields.Integer(
        string="Score",
        compute="_compute_score_values",
        search="_search_lead_score",
        readonly=True,
        aggregator="avg",
        help="Sum of the points of the scoring rules the lead matches now.",
    )
    fit_score = fields.Integer(
        compute="_compute_score_values",
        search="_search_fit_score",
        readonly=True,
        aggregator="avg",
        help="Sum of the points of the fit rules the lead matches: who the lead is.",
    )
    engagement_score = fields.Integer(
        compute="_compute_score_values",
        search="_search_engagement_score",
        readonly=True,
        aggregator="avg",
        help="Sum of the points of the engagement rules the lead matches: what "
        "the lead did (pages visited, e-mails, activities done), the points of "
        "old events faded.",
    )
    lead_priority = fields.Selection(
        LEAD_PRIORITIES,
        compute="_compute_score_values",
        search="_search_lead_priority",
        readonly=True,
        help="Fit grade x engagement level: A1 is a lead of the best fit that "
        "did the most, C3 one of the weakest fit that did the least (the "
        "thresholds are set per company in Settings > CRM).",
    )
    lead_fit_grade = fields.Selection(
        [("A", "A"), ("B", "B"), ("C", "C")],
        string="Fit Grade",
        compute="_compute_score_values",
        search="_search_lead_fit_grade",
        readonly=True,
        help="A, B or C: the fit score against the company's thresholds.",
    )
    lead_engagement_level = fields.Selection(
        [("1", "1"), ("2", "2"), ("3", "3")],
        string="Engagement Level",
        compute="_compute_score_values",
        search="_search_lead_engagement_level",
        readonly=True,
        help="1, 2 or 3: the engagement score against the company's thresholds.",
    )
    score_explanation = fields.Html(
        compute="_compute_score_explanation",
        sanitize=False,
        help="The points each matched rule gives the lead today.",
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
                    "SELECT lead_id, score, rule_data, date, fit_score,"
                    " engagement_score, priority FROM crm_lead_score"
                    " WHERE lead_id = ANY(%s)",
                    lead_ids,
                )
            )
            rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for lead in self:
            score, rule_data, date, fit, engagement, priority = rows.get(
                lead._origin.id
            ) or (0, None, False, 0, 0, None)
            priority = priority or NO_PRIORITY
            lead.lead_priority = priority
            lead.lead_fit_grade = priority[0]
            lead.lead_engagement_level = priority[1]
            lead.lead_score = score
            lead.fit_score = fit or 0
            lead.engagement_score = engagement or 0
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
        if column == "priority":
            priority = SQL("COALESCE(%s, %s)", value, NO_PRIORITY)
            if fname == "lead_fit_grade":
                return SQL("left(%s, 1)", priority)
            if fname == "lead_engagement_level":
                return SQL("right(%s, 1)", priority)
            return priority
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
    def _update_lead_priorities(self):
        """Grade every lead's row of crm.lead.score from its stored scores
        and its company's thresholds (one statement; the upgrade that adds
        the priority runs it)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead_score s SET priority = %(priority)s
                     FROM crm_lead l
                    WHERE l.id = s.lead_id
                      AND s.priority IS DISTINCT FROM %(priority)s""",
                priority=self._get_priority_sql(
                    SQL("s.fit_score"),
                    SQL("s.engagement_score"),
                    self._get_priority_company_sql("l"),
                ),
            )
        )
        self._scoring_invalidate()

    @api.model
    def _get_priority_matrix_action(self):
        """CRM > Reporting > Fit x Engagement: the leads and opportunities in
        a pivot of fit grade x engagement level, with their count and, where
        lead_management gives it, their conversion rate."""
        measures = ["__count"]
        if "conversion_rate" in self._fields:
            measures.append("conversion_rate")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Fit x Engagement"),
            "res_model": "crm.lead",
            "view_mode": "pivot,list,form",
            "views": [
                (self.env.ref("lead_scoring.crm_lead_view_pivot_priority").id, "pivot"),
                (False, "list"),
                (False, "form"),
            ],
            "search_view_id": [
                self.env.ref("crm.crm_opportunity_report_view_search").id
            ],
            "context": {
                "pivot_measures": measures,
                "pivot_row_groupby": ["lead_fit_grade"],
                "pivot_column_groupby": ["lead_engagement_level"],
                "active_test": False,
            },
            "domain": [],
        }

    @api.model
    def _get_priority_sql(self, fit, engagement, company_id=None):
        """SQL of the lead priority (A1 ... C3) of the SQL scores ``fit`` and
        ``engagement``, graded with the thresholds of the company of the
        lead (``company_id``: SQL of its id, see ``_get_priority_company_sql``;
        read only when the companies' thresholds differ). The thresholds are
        constants of the statement: no join, no column carried per lead."""
        groups = self.env["res.company"]._get_priority_threshold_groups()
        if len(groups) == 1:
            return priority_sql(fit, engagement, groups[0][0])
        *firsts, (last, __) = groups
        return SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN %s = ANY(%s) THEN %s",
                    company_id,
                    list(company_ids),
                    priority_sql(fit, engagement, thresholds),
                )
                for thresholds, company_ids in firsts
            ),
            priority_sql(fit, engagement, last),
        )

    @api.model
    def _get_priority_company_sql(self, alias):
        """SQL of the id of the company whose thresholds grade the lead of the
        row ``alias`` of crm_lead: its own, or the main company for a lead
        without company (never the session's, so that a priority does not
        depend on who computes it); None when every company has the same
        thresholds."""
        if len(self.env["res.company"]._get_priority_threshold_groups()) == 1:
            return None
        return SQL(
            "COALESCE(%s, %s)",
            SQL.identifier(alias, "company_id"),
            self._get_main_company_id(),
        )

    @api.model
    def _get_main_company_id(self):
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        return (
            company.id
            if company
            else self.env["res.company"].sudo().search([], order="id", limit=1).id
        )

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

    def _search_fit_score(self, operator, value):
        return self._search_score_field("fit_score", operator, value)

    def _search_engagement_score(self, operator, value):
        return self._search_score_field("engagement_score", operator, value)

    def _search_score_bucket(self, operator, value):
        return self._search_score_field("score_bucket", operator, value)

    def _search_score_date(self, operator, value):
        return self._search_score_field("score_date", operator, value)

    def _search_lead_priority(self, operator, value):
        return self._search_score_field("lead_priority", operator, value)

    def _search_lead_fit_grade(self, operator, value):
        return self._search_score_field("lead_fit_grade", operator, value)

    def _search_lead_engagement_level(self, operator, value):
        return self._search_score_field("lead_engagement_level", operator, value)

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

    @api.depends("score_rule_data")
    @api.depends_context("uid", "allowed_company_ids", "lang")
    def _compute_score_explanation(self):
        """The matched rules the user may read, fit rules then engagement
        rules, each with the points it gives the lead today (an engagement
        rule: with its latest event and its full points)."""
        breakdown = self._get_scoring_breakdown()
        readable = {
            lead.id: set(lead.score_rule_ids.ids) for lead in self if lead._origin.id
        }
        for lead in self:
            lines = [
                line
                for line in breakdown.get(lead._origin.id, [])
                if line[0].id in readable.get(lead.id, ())
            ]
            lead.score_explanation = lead._render_score_explanation(lines)

    def _get_scoring_breakdown(self):
        """{lead id: [(rule, kind, points today, latest event or None)]}: the
        rules each lead of self matches now, computed as the scoring does."""
        lead_ids = [lead_id for lead_id in self._origin.ids if lead_id]
        if not lead_ids:
            return {}
        Lead = self.sudo().with_context(active_test=False)
        rules = Lead._get_scoring_rules()
        if not rules:
            return {}
        query = Lead._search([("id", "in", lead_ids)])
        terms = Lead._get_scoring_terms(query, rules)
        rows = self.env.execute_query(
            query.select(
                SQL.identifier(Lead._table, "id"),
                SQL("ARRAY[%s]", SQL(", ").join(term.matched for term in terms)),
                SQL("ARRAY[%s]::int[]", SQL(", ").join(term.points for term in terms)),
                SQL(
                    "ARRAY[%s]::timestamp[]",
                    SQL(", ").join(term.event_date or SQL("NULL") for term in terms),
                ),
            )
        )
        result = {}
        for lead_id, flags, points, dates in rows:
            result[lead_id] = [
                (term.rule.with_env(self.env), term.kind, points[index], dates[index])
                for index, term in enumerate(terms)
                if flags[index]
            ]
        return result

    def _render_score_explanation(self, lines):
        """HTML table of the explanation ``lines`` (see
        ``_get_scoring_breakdown``), fit rules first."""
        if not lines:
            return False
        _ = self.env._
        kinds = {"fit": _("Fit"), "engagement": _("Engagement")}
        Rule = self.env["crm.lead.scoring.rule"]
        rows = []
        for rule, kind, points, date in sorted(
            lines, key=lambda line: (line[1] != "fit", line[0].sequence, line[0].id)
        ):
            if kind == "engagement":
                faded = points != rule.points
                # the date of an event the user may not read stays hidden
                model = Rule._get_scoring_event_model(rule.event_type)
                shown = date and model and self.env[model].has_access("read")
                detail = _(
                    "latest event %(date)s",
                    date=tools.format_datetime(self.env, date, dt_format="short")
                    if shown
                    else "-",
                )
                if faded:
                    detail = _(
                        "%(detail)s; %(points)s points when new",
                        detail=detail,
                        points=rule.points,
                    )
            else:
                detail = ""
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-muted'>%s</td></tr>"
                )
                % (kinds[kind], rule.name, points, detail)
            )
        return Markup(
            "<table class='table table-sm o_lead_score_explanation'><thead><tr>"
            "<th>%s</th><th>%s</th><th class='text-end'>%s</th><th>%s</th>"
            "</tr></thead><tbody>%s</tbody></table>"
        ) % (_("Kind"), _("Rule"), _("Points"), _("Detail"), Markup("").join(rows))

    def _compute_score_pending(self):
        """A pending rescoring run that has not reached the lead, or the lead
        marked for the rescoring of its new events or fading points."""
        domain = self.env["crm.lead.scoring.job"]._get_pending_domain()
        pending = set()
        if self.ids:
            marked = SQL(
                "(SELECT lead_id FROM crm_lead_scoring_event WHERE lead_id = ANY(%s))",
                list(self.ids),
            )
            domain = expression.OR(
                [domain or expression.FALSE_DOMAIN, [("id", "in", marked)]]
            )
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
        with self._scoring_collect() as (model, batch):
            leads = super(CrmLead, model).create(vals_list)
            batch.lead_ids.update(leads.ids)
        return leads.with_env(self.env)

    def write(self, vals):
        vals = self._check_score_values(vals)
        if not self.ids:
            return super().write(vals)
        with self._scoring_collect() as (leads, batch):
            return leads._write_and_collect(vals, batch)

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        # crm writes the conversion, then the salespersons: one scoring
        with self._scoring_collect() as (leads, batch):
            kept = leads._get_assignment_kept_leads()
            if kept:
                kept._handle_salesmen_assignment(user_ids=user_ids, team_id=team_id)
            if kept == leads:
                return True
            return super(CrmLead, leads - kept).convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )

    def _get_assignment_kept_leads(self):
        """The leads of self that crm's assignment hands to a salesperson of a
        team keeping them as leads ("Convert Assigned Leads" off): assigned,
        not converted."""
        routing = AssignmentRouting.of(self.env)
        if not (routing and routing.assigning):
            return self.browse()
        return self.filtered(
            lambda lead: lead.team_id and not lead.team_id.assignment_convert
        )

    # ------------------------------------------------------------
    # ASSIGNMENT (crm's loops, see AssignmentRouting)
    # ------------------------------------------------------------

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        routing = AssignmentRouting.of(self.env)
        team = routing and routing.next_allocation_team(domain)
        if team:
            # crm's search of the leads to allocate to a team with minimums
            domain = expression.AND([domain, team._get_scoring_minimum_domain()])
            order = f"{PRIORITY_ORDER}, {order or self._order}"
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def sorted(self, key=None, reverse=False):
        routing = AssignmentRouting.of(self.env)
        if (
            routing
            and routing.assigning
            and getattr(key, "__qualname__", None) == CRM_ASSIGNMENT_SORT
        ):
            # crm's round robin sorts a team's leads by probability
            # sudo: the order only; the leads are crm's
            ordered = (
                self.sudo()
                .with_context(active_test=False)
                .search([("id", "in", self.ids)], order=ASSIGNMENT_ORDER)
            )
            return self.browse(ordered.ids)
        return super().sorted(key=key, reverse=reverse)

    @contextmanager
    def _scoring_collect(self):
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
        self._scoring_rescore_leads()
        return True

    @api.model
    def _cron_recompute_lead_scores(self):
        """The nightly pass: fade the engagement points (see
        ``_scoring_fade``), then rescore the leads whose matches
        changed without a write of theirs (see
        ``_get_scoring_drifted_lead_ids``), at once when they are few, else
        marked for the background rescoring of marked leads (by committed
        batches, see ``crm.lead.scoring.event``).
        A write of a lead rescores it and a change of the rules rescores the
        leads it concerns, so the other rules need no evaluation here."""
        Job = self.env["crm.lead.scoring.job"]
        jobs, scope = Job._get_run()
        if jobs and not scope:
            return  # every lead is being rescored anyway
        self._scoring_fade()
        limit = Job._get_sync_limit()
        lead_ids = self._get_scoring_drifted_lead_ids()
        if len(lead_ids) > limit:
            # those leads only, by committed batches in the background
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(lead_ids)
        elif lead_ids:
            self._scoring_rescore(scope_domain=[("id", "in", lead_ids)])

    @api.model
    def _scoring_fade(self):
        """The daily fading of the engagement points, in one statement that
        reads no event: for the open leads matching engagement rules whose
        points change with time alone (a half-life, a window), each rule's
        points today from the latest event and the end of the window kept
        at the last scoring (``crm.lead.score.engagement_terms``), the
        points of a rule whose window the lead left removed with the rule
        from its matched rules; only the leads whose points changed are
        written, one history row per changed score. A new event rescores
        its lead in full (``crm.lead.scoring.event``)."""
        Lead = self.sudo().with_context(active_test=False)
        rules = [
            rule for rule, __ in Lead._get_scoring_rules() if rule._is_time_dependent()
        ]
        if not rules:
            return
        now = self.env.cr.now()
        now_epoch = epoch_sql(SQL("%s::timestamp", now))
        scope = Lead._search(Lead._get_scoring_scope_domain())
        company = Lead._get_priority_company_sql("l")
        values = SQL(", ").join(
            SQL("(%s::float8, %s, %s)", rule.id, rule.points, rule.decay_half_life_days)
            for rule in rules
        )
        # each row of a lead's engagement terms: [rule id, latest event, end
        # of the window or null, points at the last scoring]
        points = SQL(
            "CASE WHEN r.half_life > 0 THEN %s ELSE r.points END",
            decayed_points_sql(
                SQL("r.points"), SQL("r.half_life"), now_epoch, SQL("e.last")
            ),
        )
        statement = SQL(
            """
            WITH rules (rule_id, points, half_life) AS (VALUES %(values)s),
            faded AS MATERIALIZED (
                SELECT s.lead_id, s.score, s.fit_score, s.engagement_score,
                       s.rule_data, s.engagement_terms,
                       COALESCE(f.delta, 0) AS delta, f.expired, f.new_terms
                       %(company)s
                  FROM crm_lead_score s
                  JOIN crm_lead l ON l.id = s.lead_id
                 CROSS JOIN LATERAL (
                       SELECT sum(x.points - e.points::int) AS delta,
                              array_agg(e.rule_id::int) FILTER (WHERE NOT x.alive)
                                  AS expired,
                              array_agg(ARRAY[e.rule_id, e.last, e.expiry, x.points]
                                        ORDER BY e.position)
                                  FILTER (WHERE x.alive) AS new_terms
                         FROM (SELECT i AS position,
                                      s.engagement_terms[i][1] AS rule_id,
                                      s.engagement_terms[i][2] AS last,
                                      s.engagement_terms[i][3] AS expiry,
                                      s.engagement_terms[i][4] AS points
                                 FROM generate_subscripts(s.engagement_terms, 1) i
                              ) e
                         JOIN rules r ON r.rule_id = e.rule_id
                        CROSS JOIN LATERAL (
                              SELECT a.alive,
                                     CASE WHEN a.alive THEN %(points)s ELSE 0 END
                                         AS points
                                FROM (SELECT e.expiry IS NULL
                                          OR e.expiry >= %(now_epoch)s AS alive) a
                        ) x
                 ) f
                 WHERE s.engagement_terms IS NOT NULL AND s.lead_id IN %(scope)s
            ),
            changed AS MATERIALIZED (
                SELECT * FROM faded
                 WHERE new_terms IS DISTINCT FROM engagement_terms
            ),
            written AS (
                UPDATE crm_lead_score s
                   SET score = c.score + c.delta,
                       engagement_score = c.engagement_score + c.delta,
                       rule_data = CASE WHEN c.expired IS NULL THEN c.rule_data ELSE (
                           SELECT jsonb_agg(x.value ORDER BY x.position)
                             FROM jsonb_array_elements(c.rule_data)
                                  WITH ORDINALITY AS x(value, position)
                            WHERE NOT x.value::int = ANY(c.expired)) END,
                       engagement_terms = c.new_terms,
                       priority = %(priority)s,
                       date = CASE WHEN c.delta <> 0 THEN %(now)s ELSE s.date END
                  FROM changed c
                 WHERE s.lead_id = c.lead_id
            )
            INSERT INTO crm_lead_score_history (lead_id, date, old_score, new_score)
            SELECT lead_id, %(now)s, score, score + delta FROM changed WHERE delta <> 0
            """,
            values=values,
            points=points,
            now_epoch=now_epoch,
            scope=scope.subselect(SQL.identifier(Lead._table, "id")),
            company=SQL(", %s AS priority_company_id", company) if company else SQL(),
            priority=Lead._get_priority_sql(
                SQL("c.fit_score"),
                SQL("c.engagement_score + c.delta"),
                SQL("c.priority_company_id"),
            ),
            now=now,
        )
        self.env.execute_query(with_scoring_settings(statement))
        self._scoring_invalidate()

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
        with scoring_settings(
            self.env.cr, dict(SCORING_SETTINGS, parallel_tuple_cost="0.001")
        ):
            return [
                row[0]
                for row in self.env.execute_query(
                    query.select(SQL.identifier(Lead._table, "id"))
                )
            ]

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
    @tools.ormcache()
    def _get_scoring_event_types(self):
        """The event types the active engagement rules count: their new
        events mark their leads (``crm.lead.scoring.event``)."""
        return frozenset(
            rule.event_type
            for rule, __, __ in self.env["crm.lead.scoring.rule"]._load_scoring_rules(
                mark_errors=False
            )
            if rule.rule_type == "engagement"
        )

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

    def _scoring_rescore_leads(self):
        """Recompute the scores of the leads in self (nothing to do while no
        rule is active: every score is then 0)."""
        triggers = self._get_scoring_trigger_fields()
        if self and (triggers is None or triggers["direct"]):
            self._scoring_rescore(scope_domain=[("id", "in", self.ids)])

    @api.model
    def _scoring_rescore(self, scope_domain=None, large=None):
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
        Lead._scoring_rescore_scope(
            scope_domain, rules, large=scope_domain is None if large is None else large
        )
        self._scoring_invalidate()

    @api.model
    def _scoring_invalidate(self):
        """Forget the score fields of every lead read so far (the scoring
        writes them in SQL)."""
        self.env["crm.lead"].invalidate_model(
            [
                "lead_priority",
                "lead_fit_grade",
                "lead_engagement_level",
                "lead_score",
                "fit_score",
                "engagement_score",
                "score_explanation",
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
        ``_get_scoring_rules``) on a row of crm_lead of the lead query: its
        domain and company (an engagement rule: its company only)."""
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
    def _get_scoring_terms(self, query, rules, reference=None):
        """The scoring terms (``ScoringTerm``) of ``rules`` (as given by
        ``_get_scoring_rules``) for the leads of ``query``, to which the
        engagement rules' events are joined (one aggregate per event type,
        over the leads of the query only).

        ``reference`` is the time the events are counted at: now by default
        (events up to now, windows and fading from now), or the name of a
        datetime field of the lead (e.g. ``date_closed``: only the events
        before it count, their points faded as they were then)."""
        conditions = self._get_scoring_conditions(rules)
        by_type = {}
        for index, (rule, __) in enumerate(rules):
            if rule.rule_type == "engagement":
                by_type.setdefault(rule.event_type, []).append((index, rule))
        if by_type:
            # before the joins below: the ids of the leads scored
            lead_ids = query.subselect(SQL.identifier(self._table, "id"))
        if reference is None:
            now = SQL("%s::timestamp", self.env.cr.now())
            lead_reference = event_reference = now
        else:
            lead_reference = SQL.identifier(self._table, reference)
            event_reference = SQL.identifier("l", reference)
        aliases = {}
        Rule = self.env["crm.lead.scoring.rule"]
        for event_type, type_rules in by_type.items():
            alias = f"lead_scoring_{event_type}"
            # each rule's condition on an event row (a flag), then the events
            # counted and dated per lead, the events no rule counts left out
            flags, columns = [], []
            for index, rule in type_rules:
                condition = rule._get_scoring_event_condition("e")
                if rule.event_window_days:
                    condition = SQL(
                        "%s AND e.event_date >= %s - make_interval(days => %s)",
                        condition,
                        event_reference,
                        rule.event_window_days,
                    )
                flag = SQL.identifier(f"f_{index}")
                flags.append(SQL("(%s) AS %s", condition, flag))
                columns += [
                    SQL(
                        "count(*) FILTER (WHERE e.%s) AS %s",
                        flag,
                        SQL.identifier(f"n_{index}"),
                    ),
                    SQL(
                        "max(e.event_date) FILTER (WHERE e.%s) AS %s",
                        flag,
                        SQL.identifier(f"d_{index}"),
                    ),
                ]
                if rule.event_window_days and rule.event_min_count > 1:
                    # the K-th latest event: the lead matches until it
                    # leaves the window
                    columns.append(
                        SQL(
                            "(array_agg(e.event_date ORDER BY e.event_date DESC)"
                            " FILTER (WHERE e.%s))[%s] AS %s",
                            flag,
                            rule.event_min_count,
                            SQL.identifier(f"k_{index}"),
                        )
                    )
            windows = [rule.event_window_days for __, rule in type_rules]
            since = (
                SQL(
                    "AND e.event_date >= %s - make_interval(days => %s)",
                    event_reference,
                    max(windows),
                )
                if all(windows)
                else SQL()
            )
            lead_join = (
                SQL("JOIN %s l ON l.id = e.lead_id", SQL.identifier(self._table))
                if reference
                else SQL()
            )
            events = SQL(
                """(SELECT e.lead_id, %(columns)s
                      FROM (SELECT e.lead_id, e.event_date, %(flags)s
                              FROM (%(rows)s) e %(lead_join)s
                             WHERE e.lead_id IN %(lead_ids)s %(until)s %(since)s
                           ) e
                     WHERE %(any_flag)s
                  GROUP BY e.lead_id)""",
                columns=SQL(", ").join(columns),
                flags=SQL(", ").join(flags),
                # the events no rule counts are not aggregated
                any_flag=SQL(" OR ").join(
                    SQL("e.%s", SQL.identifier(f"f_{index}"))
                    for index, __ in type_rules
                ),
                rows=Rule._get_scoring_event_rows(event_type),
                lead_join=lead_join,
                lead_ids=lead_ids,
                # as of a date: only the events before it (scoring now: every
                # event, those stamped a little ahead of the database's clock
                # too)
                until=SQL("AND e.event_date <= %s", event_reference)
                if reference
                else SQL(),
                since=since,
            )
            query.add_join(
                "LEFT JOIN",
                alias,
                events,
                SQL(
                    "%s = %s",
                    SQL.identifier(alias, "lead_id"),
                    SQL.identifier(self._table, "id"),
                ),
            )
            aliases[event_type] = alias
        terms = []
        for index, ((rule, __), condition) in enumerate(
            zip(rules, conditions, strict=True)
        ):
            if rule.rule_type != "engagement":
                terms.append(
                    ScoringTerm(
                        rule,
                        "fit",
                        SQL("COALESCE((%s), FALSE)", condition),
                        SQL("%s", rule.points),
                    )
                )
                continue
            alias = aliases[rule.event_type]
            count = SQL("COALESCE(%s, 0)", SQL.identifier(alias, f"n_{index}"))
            points = SQL("%s", rule.points)
            last = SQL.identifier(alias, f"d_{index}")
            if rule.decay_half_life_days:
                points = decayed_points_sql(
                    rule.points,
                    rule.decay_half_life_days,
                    epoch_sql(lead_reference),
                    epoch_sql(last),
                )
            expiry = None
            if rule.event_window_days:
                kth = (
                    SQL.identifier(alias, f"k_{index}")
                    if rule.event_min_count > 1
                    else last
                )
                expiry = SQL(
                    "%s + make_interval(days => %s)", kth, rule.event_window_days
                )
            terms.append(
                ScoringTerm(
                    rule,
                    "engagement",
                    SQL(
                        "(%s >= %s AND COALESCE((%s), FALSE))",
                        count,
                        rule.event_min_count,
                        condition,
                    ),
                    points,
                    last,
                    expiry,
                )
            )
        return terms

    @api.model
    def _scoring_rescore_scope(self, scope_domain, rules, large=False):
        """Score the leads matching ``scope_domain`` (every lead when None)
        with ``rules`` (as given by ``_get_scoring_rules``), in one statement:
        a single scan of the leads evaluates the terms of every rule (the
        engagement rules' events aggregated once per event type), and only
        the leads whose scores or matched rules changed are updated. For a
        ``large`` scope (every lead, a background batch), the reading part
        runs first on its own, into a temporary table, where PostgreSQL may
        use its parallel workers (a statement that writes never does)."""
        lead_id = SQL.identifier(self._table, "id")
        scope = self._search(
            expression.AND([scope_domain or [], self._get_scoring_scope_domain()])
        )
        scores = self._join_lead_score(scope)
        company = self._get_priority_company_sql(scope.table)
        terms = self._get_scoring_terms(scope, rules)
        ident = SQL.identifier
        # each term's match, points and dates computed once per lead, in an
        # inner select (OFFSET 0 keeps PostgreSQL from substituting them into
        # the outer one, which would compute them again per use); the outer
        # select sums them
        columns = [
            SQL("%s AS id", lead_id),
            SQL("COALESCE(%s, 0) AS old_score", ident(scores, "score")),
            SQL("COALESCE(%s, 0) AS old_fit", ident(scores, "fit_score")),
            SQL("COALESCE(%s, 0) AS old_engagement", ident(scores, "engagement_score")),
            SQL("%s AS old_rule_ids", ident(scores, "rule_data")),
            SQL("%s AS old_terms", ident(scores, "engagement_terms")),
            SQL(
                "COALESCE(%s, %s) AS old_priority",
                ident(scores, "priority"),
                NO_PRIORITY,
            ),
        ]
        if company:
            columns.append(SQL("%s AS priority_company_id", company))
        fit, engagement, rule_ids, data = [], [], [], []
        for index, term in enumerate(terms, start=1):
            matched, points = ident(f"m_{index}"), ident(f"p_{index}")
            columns.append(SQL("%s AS %s", term.matched, matched))
            rule_ids.append(SQL("CASE WHEN t.%s THEN %s END", matched, term.rule.id))
            if term.kind == "fit":
                fit.append(
                    SQL("CASE WHEN t.%s THEN %s ELSE 0 END", matched, term.points)
                )
                continue
            columns.append(
                SQL(
                    "CASE WHEN %s THEN %s ELSE 0 END AS %s",
                    term.matched,
                    term.points,
                    points,
                )
            )
            engagement.append(SQL("t.%s", points))
            if term.rule._is_time_dependent():
                last, expiry = ident(f"e_{index}"), ident(f"x_{index}")
                columns.append(SQL("%s AS %s", epoch_sql(term.event_date), last))
                columns.append(
                    SQL("%s AS %s", epoch_sql(term.expiry), expiry)
                    if term.expiry
                    else SQL("NULL::float8 AS %s", expiry)
                )
                data.append(
                    (
                        term.rule.id,
                        SQL("t.%s", matched),
                        SQL("t.%s", last),
                        SQL("t.%s", expiry),
                        SQL("t.%s", points),
                    )
                )
        rule_ids = (
            SQL("array_remove(ARRAY[%s], NULL)", SQL(", ").join(rule_ids))
            if rule_ids
            else SQL("ARRAY[]::int[]")
        )
        now = self.env.cr.now()
        # flushes exactly the fields the rules and the scope read (their
        # SQL carries them), not every pending computation of the request;
        # writes only the rows of crm_lead_score whose scores or matched
        # rules changed, and one history row per changed score
        leads = SQL(
            """SELECT t.id, t.old_score, t.old_fit, t.old_engagement,
                      t.old_rule_ids, t.old_terms, t.old_priority,%(company)s
                      %(new_fit)s AS new_fit, %(new_engagement)s AS new_engagement,
                      CASE WHEN cardinality(%(rule_ids)s) > 0
                           THEN to_jsonb(%(rule_ids)s) END AS new_rule_ids,
                      %(new_terms)s AS new_terms
                 FROM (%(terms)s OFFSET 0) t""",
            company=SQL(" t.priority_company_id,") if company else SQL(),
            new_fit=SQL(" + ").join(fit) if fit else SQL("0"),
            new_engagement=SQL(" + ").join(engagement) if engagement else SQL("0"),
            rule_ids=rule_ids,
            new_terms=engagement_terms_sql(data),
            terms=scope.select(*columns),
        )
        if large:
            self.env.execute_query(
                with_scoring_settings(
                    SQL(
                        "CREATE TEMPORARY TABLE lead_scoring_flagged ON COMMIT DROP"
                        " AS %s",
                        leads,
                    )
                )
            )
            leads = SQL("SELECT * FROM lead_scoring_flagged")
        statement = SQL(
            """
            WITH computed AS MATERIALIZED (%(leads)s),
            changed AS MATERIALIZED (
                SELECT c.*
                  FROM (SELECT c.*, c.new_fit + c.new_engagement AS new_score,
                               %(new_priority)s AS new_priority
                          FROM computed c) c
                 WHERE c.old_score IS DISTINCT FROM c.new_fit + c.new_engagement
                    OR c.old_priority IS DISTINCT FROM c.new_priority
                    OR c.old_fit IS DISTINCT FROM c.new_fit
                    OR c.old_engagement IS DISTINCT FROM c.new_engagement
                    OR c.old_rule_ids IS DISTINCT FROM c.new_rule_ids
                    OR c.old_terms IS DISTINCT FROM c.new_terms
            ),
            written AS (
                INSERT INTO crm_lead_score AS s
                       (lead_id, score, fit_score, engagement_score, rule_data,
                        engagement_terms, priority, date)
                SELECT id, new_score, new_fit, new_engagement, new_rule_ids,
                       new_terms, new_priority, %(now)s
                  FROM changed
                ON CONFLICT (lead_id) DO UPDATE
                   SET score = EXCLUDED.score,
                       fit_score = EXCLUDED.fit_score,
                       engagement_score = EXCLUDED.engagement_score,
                       rule_data = EXCLUDED.rule_data,
                       engagement_terms = EXCLUDED.engagement_terms,
                       priority = EXCLUDED.priority,
                       date = CASE WHEN s.score IS DISTINCT FROM EXCLUDED.score
                                   THEN EXCLUDED.date ELSE s.date END
            )
            INSERT INTO crm_lead_score_history (lead_id, date, old_score, new_score)
            SELECT id, %(now)s, old_score, new_score FROM changed
             WHERE old_score IS DISTINCT FROM new_score
            """,
            leads=leads,
            new_priority=self._get_priority_sql(
                SQL("c.new_fit"), SQL("c.new_engagement"), SQL("c.priority_company_id")
            ),
            now=now,
        )
        self.env.execute_query(with_scoring_settings(statement))
        if large:
            self.env.cr.execute("DROP TABLE lead_scoring_flagged")

    # ------------------------------------------------------------ demo
    @api.model
    def _create_demo_engagement(self):
        """Demo data: the customers' e-mails of crm's demo leads dated over
        the past weeks (one beyond the demo rule's 30-day window), calls and
        meetings done on some leads, then those leads rescored."""
        now = self.env.cr.now()
        emails = {
            "crm.msg_case1_1": 1,
            "crm.msg_case17_1": 2,
            "crm.msg_case2_1": 4,
            "crm.msg_case18_1": 6,
            "crm.msg_case5_1": 9,
            "crm.msg_case31_1": 12,
            "crm.msg_case8_1": 20,
            "crm.msg_case10_1": 45,
        }
        dated = {}
        for xmlid, days in emails.items():
            message = self.env.ref(xmlid, raise_if_not_found=False)
            if message:
                dated[message.id] = now - timedelta(days=days)
        activities = {
            "crm.crm_case_1": ("mail.mail_activity_data_meeting", 3),
            "crm.crm_case_17": ("mail.mail_activity_data_call", 1),
            "crm.crm_case_2": ("mail.mail_activity_data_call", 10),
            "crm.crm_case_18": ("mail.mail_activity_data_meeting", 25),
            "crm.crm_case_3": ("mail.mail_activity_data_call", 40),
        }
        leads = self.browse()
        for xmlid, (activity_type, days) in activities.items():
            lead = self.env.ref(xmlid, raise_if_not_found=False)
            if not lead:
                continue
            activity = lead.activity_schedule(
                activity_type_id=self.env.ref(activity_type).id,
                user_id=lead.user_id.id or self.env.uid,
            )
            done = activity._action_done(feedback="Demo")[0]
            dated[done.id] = now - timedelta(days=days)
            leads |= lead
        self.env.flush_all()
        if dated:
            self.env.cr.execute(
                SQL(
                    """UPDATE mail_message m SET date = d.date
                         FROM unnest(%s::int[], %s::timestamp[]) AS d(id, date)
                        WHERE m.id = d.id
                    RETURNING m.res_id""",
                    list(dated),
                    list(dated.values()),
                )
            )
            leads |= self.browse([row[0] for row in self.env.cr.fetchall()])
        self.env["mail.message"].invalidate_model(["date"])
        if leads:
            self._scoring_rescore(scope_domain=[("id", "in", leads.ids)])
