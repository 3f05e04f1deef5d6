import logging
import math
import random
import threading
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .crm_lead import SCORE_BUCKETS, lead_priority_of, score_bucket_of
from .crm_lead_score import LEAD_PRIORITIES

_logger = logging.getLogger(__name__)

#: default of ``lead_scoring.evaluation_months``: leads closed within these
#: last months are evaluated
EVALUATION_MONTHS = 12
#: fewer evaluation leads than this tell nothing
MIN_EVALUATION_LEADS = 30
#: a rule matching fewer learning leads than this (or leaving fewer
#: unmatched) keeps its points as its suggestion
MIN_SUGGESTION_LEADS = 10
#: suggested points for each doubling of the odds of winning
POINTS_PER_ODDS_DOUBLING = 10
#: the lead's fields into which crm writes a closed lead's outcome: a rule
#: reading one of them would predict what it reads
OUTCOME_FIELDS = frozenset(
    {
        "stage_id",
        "probability",
        "automated_probability",
        "active",
        "lost_reason_id",
        "date_closed",
        "won_status",
    }
)


def round_half_away(value):
    """``value`` rounded half away from zero, as PostgreSQL rounds a numeric."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def ranking_quality(counts):
    """The chance, in %, that a won lead scores above a lost one, ties
    counting half (the Mann-Whitney statistic, or area under the ROC curve),
    from ``counts``: {score: [won, lost]}. None without both outcomes."""
    won_total = sum(won for won, __ in counts.values())
    lost_total = sum(lost for __, lost in counts.values())
    if not won_total or not lost_total:
        return None
    pairs, lost_below = 0.0, 0
    for score in sorted(counts):
        won, lost = counts[score]
        pairs += won * (lost_below + lost / 2)
        lost_below += lost
    return 100 * pairs / (won_total * lost_total)


class CrmLeadScoringEvaluation(models.Model):
    _name = "crm.lead.scoring.evaluation"
    _description = "Lead Scoring Evaluation"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    date = fields.Datetime(
        string="Evaluated on", required=True, readonly=True, default=fields.Datetime.now
    )
    date_from = fields.Date(
        string="Closed From", readonly=True, help="The oldest closing date evaluated."
    )
    date_to = fields.Date(
        string="Closed To", readonly=True, help="The newest closing date evaluated."
    )
    closed_count = fields.Integer(
        string="Closed Leads",
        readonly=True,
        help="Leads and opportunities won or lost in the period: the evaluation leads.",
    )
    won_count = fields.Integer(string="Won Leads", readonly=True)
    learning_count = fields.Integer(
        string="Learning Leads",
        readonly=True,
        help="The older two thirds of the evaluation leads, by closing date: "
        "the suggested points and crm's probability are learned from them.",
    )
    checking_count = fields.Integer(
        string="Checking Leads",
        readonly=True,
        help="The newest third of the evaluation leads, by closing date: the "
        "ranking qualities are measured on them.",
    )
    is_conclusive = fields.Boolean(
        readonly=True,
        help="Enough evaluation leads, with won and lost ones among the "
        "checking leads, to measure the ranking quality.",
    )
    inconclusive_reason = fields.Char(string="Why No Figures", readonly=True)
    ranking_quality = fields.Float(
        readonly=True,
        aggregator="avg",
        help="On the checking leads, the chance in % that a won lead scores "
        "above a lost one, ties counting half: 50 is a coin toss, 100 is perfect.",
    )
    suggested_ranking_quality = fields.Float(
        string="Ranking Quality of the Suggested Points",
        readonly=True,
        aggregator="avg",
        help="The same measure with the suggested points instead of the current ones.",
    )
    fit_ranking_quality = fields.Float(
        string="Ranking Quality of the Fit Rules",
        readonly=True,
        aggregator="avg",
        help="The same measure with the fit rules alone: who the leads are.",
    )
    engagement_ranking_quality = fields.Float(
        string="Ranking Quality of the Engagement Rules",
        readonly=True,
        aggregator="avg",
        help="The same measure with the engagement rules alone: what the leads "
        "did before they were closed.",
    )
    pls_ranking_quality = fields.Float(
        string="Ranking Quality of crm's Probability",
        readonly=True,
        aggregator="avg",
        help="The same measure for crm's predictive probability (naive Bayes), "
        "learned from the learning leads only, without the stage.",
    )
    priority_ids = fields.One2many(
        "crm.lead.scoring.evaluation.priority",
        "evaluation_id",
        string="Won Rate by Priority",
        readonly=True,
    )
    line_ids = fields.One2many(
        "crm.lead.scoring.evaluation.line", "evaluation_id", string="Score Ranges"
    )
    rule_ids = fields.Many2many(
        "crm.lead.scoring.rule",
        string="Evaluated Rules",
        readonly=True,
        help="The active rules whose figures this evaluation measured.",
    )

    @api.depends("company_id", "date")
    def _compute_name(self):
        for evaluation in self:
            evaluation.name = self.env._(
                "%(company)s, %(date)s",
                company=evaluation.company_id.name or "",
                date=fields.Date.to_string(fields.Date.to_date(evaluation.date))
                if evaluation.date
                else "",
            )

    # ------------------------------------------------------------ actions
    def action_open_ranges_graph(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Won Rate per Score Range"),
            "res_model": "crm.lead.scoring.evaluation.line",
            "view_mode": "graph,list",
            "views": [(False, "graph"), (False, "list")],
            "domain": [("evaluation_id", "=", self.id)],
        }

    # ------------------------------------------------------------ running
    @api.model
    def _get_evaluation_months(self):
        return max(
            1,
            int(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("lead_scoring.evaluation_months", EVALUATION_MONTHS)
            ),
        )

    @api.model
    def _get_evaluation_domain(self, company, date_from):
        """The evaluation leads of ``company``: its leads and those without
        company, won (in a won stage) or lost (archived with probability 0)
        since ``date_from``."""
        return [
            ("company_id", "in", [company.id, False]),
            ("date_closed", ">=", date_from),
            "|",
            ("stage_id.is_won", "=", True),
            "&",
            ("active", "=", False),
            ("probability", "=", 0),
        ]

    @api.model
    def _count_evaluation_leads(self, company=None):
        company = company or self.env.company
        date_from = fields.Datetime.now() - relativedelta(
            months=self._get_evaluation_months()
        )
        return (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_count(self._get_evaluation_domain(company, date_from))
        )

    @api.model
    def _cron_evaluate(self):
        """Evaluate the rules of every company having closed leads, company by
        company, each committed: a failure in one company leaves the figures
        of the others."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        for company in self.env["res.company"].sudo().search([]):
            if not self._count_evaluation_leads(company):
                continue
            try:
                with self.env.cr.savepoint():
                    self.evaluate(company)
            except Exception:
                _logger.exception(
                    "Lead scoring: the evaluation of %s failed", company.name
                )
                continue
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def evaluate(self, company=None):
        """Evaluate today's active rules on the leads of ``company`` (the
        current one by default) closed in the last
        ``lead_scoring.evaluation_months`` months; store the figures on the
        evaluation and on the rules; return the evaluation. A person's
        request evaluates at most ``lead_scoring.sync_rescore_limit`` closed
        leads: more are evaluated by the scheduled action (the rules list's
        button triggers it)."""
        company = company or self.env.company
        # sudo: the figures are about every lead of the company, whoever runs
        # them; only Sales Administrators may (see the access lines)
        self.check_access("create")
        if not self.env.su:
            count = self._count_evaluation_leads(company)
            limit = self.env["crm.lead.scoring.job"]._get_sync_limit()
            if count > limit:
                raise UserError(
                    self.env._(
                        "%(count)s closed leads are too many to evaluate in a "
                        "request (at most %(limit)s): use Evaluate on closed "
                        "leads on the scoring rules, which evaluates them in "
                        "the background.",
                        count=count,
                        limit=limit,
                    )
                )
        Evaluation = self.sudo()
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        Rule = self.env["crm.lead.scoring.rule"].sudo()
        now = fields.Datetime.now()
        date_from = now - relativedelta(months=self._get_evaluation_months())
        rules, not_evaluable = [], Rule
        for rule, domain, query in Rule._load_scoring_rules(mark_errors=False):
            if rule.company_id and rule.company_id != company:
                continue
            if rule._get_outcome_field(domain):
                not_evaluable |= rule
            else:
                rules.append((rule, query))
        groups = self._get_evaluation_groups(
            Lead._search(self._get_evaluation_domain(company, date_from)), rules
        )
        values = self._get_evaluation_values(groups, rules, company)
        rule_values = values.pop("rule_values")
        evaluation = Evaluation.create(
            dict(
                values,
                company_id=company.id,
                date=now,
                date_from=fields.Date.to_date(date_from),
                date_to=fields.Date.to_date(now),
                rule_ids=[
                    Command.set([rule.id for rule, __ in rules] + not_evaluable.ids)
                ],
            )
        )
        if evaluation.is_conclusive:
            pls_quality = evaluation._get_pls_ranking_quality(
                date_from, groups["split"]
            )
            evaluation.pls_ranking_quality = pls_quality or 0.0
        # the figures of this company (a rule without company keeps one set
        # per company)
        for rule in not_evaluable:
            rule.with_company(company).write(
                rule._prepare_not_evaluable_values(evaluation)
            )
        for rule, __ in rules:
            rule.with_company(company).write(
                rule_values[rule.id] | {"eval_evaluation_id": evaluation.id}
            )
        return evaluation.with_env(self.env)

    @api.model
    def _get_evaluation_groups(self, query, rules):
        """One statement: the evaluation leads of ``query`` flagged with the
        rules they match and the points each gives them, as the scoring
        computes them but *as of the lead's closing date* (an engagement
        rule counts only the events before it, its points faded as they
        were then: nothing after the outcome predicts it), split by closing
        date (the older two thirds learn, the newest third checks) and
        counted per combination of matched rules, points, outcome and part.
        Returns {"rows": [(flags, points, won, learning, count)], "split": id
        of the last learning lead}."""
        Lead = self.env["crm.lead"]
        lead = SQL.identifier(Lead._table, "id")
        terms = Lead._get_scoring_terms(query, rules, reference="date_closed")
        if terms:
            flags = SQL("ARRAY[%s]", SQL(", ").join(term.matched for term in terms))
            points = SQL(
                "ARRAY[%s]::int[]",
                SQL(", ").join(
                    SQL("CASE WHEN %s THEN %s ELSE 0 END", term.matched, term.points)
                    for term in terms
                ),
            )
        else:
            flags, points = SQL("ARRAY[]::boolean[]"), SQL("ARRAY[]::int[]")
        won_stages = self.env["crm.stage"].sudo()._search([("is_won", "=", True)])
        leads = query.select(
            SQL("%s AS id", lead),
            SQL("%s AS date_closed", SQL.identifier(Lead._table, "date_closed")),
            SQL(
                "COALESCE(%s IN %s, FALSE) AS won",
                SQL.identifier(Lead._table, "stage_id"),
                won_stages.subselect(),
            ),
            SQL("%s AS flags", flags),
            SQL("%s AS points", points),
        )
        rows = self.env.execute_query(
            SQL(
                """
                    WITH leads AS MATERIALIZED (%(leads)s),
                    ranked AS MATERIALIZED (
                        SELECT flags, points, won, id,
                               row_number() OVER (ORDER BY date_closed, id) AS rank,
                               3 * row_number() OVER (ORDER BY date_closed, id)
                                   <= 2 * count(*) OVER () AS learning
                          FROM leads
                    )
                    SELECT flags, points, won, learning, count(*),
                           (SELECT id FROM ranked WHERE learning
                             ORDER BY rank DESC LIMIT 1)
                      FROM ranked
                  GROUP BY flags, points, won, learning
                    """,
                leads=leads,
            )
        )
        split = rows[0][5] if rows else None
        return {"rows": [row[:5] for row in rows], "split": split}

    @api.model
    def _get_evaluation_values(self, groups, rules, company):
        """The evaluation's values (and ``rule_values``: {rule id: values})
        from the counts of ``_get_evaluation_groups`` for ``company``."""
        rows = groups["rows"]
        closed = sum(row[4] for row in rows)
        won = sum(row[4] for row in rows if row[2])
        learning = sum(row[4] for row in rows if row[3])
        checking = [row for row in rows if not row[3]]
        values = {
            "closed_count": closed,
            "won_count": won,
            "learning_count": learning,
            "checking_count": closed - learning,
            "rule_values": {},
        }
        current = self._get_points_function(rules)
        suggested_points = self._get_suggested_points(
            [row for row in rows if row[3]], rules
        )
        suggested = self._get_points_function(rules, suggested_points)
        # per rule, over every evaluation lead
        for index, (rule, __) in enumerate(rules):
            matched = [0, 0]  # leads, won
            for flags, __, is_won, __, count in rows:
                if flags[index]:
                    matched[0] += count
                    matched[1] += count if is_won else 0
            unmatched = [closed - matched[0], won - matched[1]]
            values["rule_values"][rule.id] = rule._prepare_evaluated_values(
                closed, won, matched, unmatched, suggested_points[index]
            )
        checking_won = sum(row[4] for row in checking if row[2])
        checking_total = sum(row[4] for row in checking)
        if closed < MIN_EVALUATION_LEADS:
            values["inconclusive_reason"] = self.env._(
                "Only %(count)s leads closed in the period: at least %(minimum)s "
                "are needed to tell anything.",
                count=closed,
                minimum=MIN_EVALUATION_LEADS,
            )
        elif not checking_won:
            values["inconclusive_reason"] = self.env._(
                "No lead of the checking part (the newest third) was won: the "
                "ranking quality compares won leads with lost ones."
            )
        elif checking_won == checking_total:
            values["inconclusive_reason"] = self.env._(
                "No lead of the checking part (the newest third) was lost: the "
                "ranking quality compares won leads with lost ones."
            )
        else:
            values["is_conclusive"] = True
            values["ranking_quality"] = ranking_quality(
                self._count_scores(checking, current)
            )
            values["suggested_ranking_quality"] = ranking_quality(
                self._count_scores(checking, suggested)
            )
            for kind in ("fit", "engagement"):
                kind_points = self._get_points_function(rules, kind=kind)
                values[f"{kind}_ranking_quality"] = ranking_quality(
                    self._count_scores(checking, kind_points)
                )
        # score ranges, over every evaluation lead, with the current points
        ranges = defaultdict(lambda: [0, 0])
        for score, (won_leads, lost_leads) in self._count_scores(rows, current).items():
            ranges[score_bucket_of(score)][0] += won_leads + lost_leads
            ranges[score_bucket_of(score)][1] += won_leads
        # lead priority cells, over every evaluation lead, graded with the
        # company's thresholds from the points as of the closing
        fit = self._get_points_function(rules, kind="fit")
        engagement = self._get_points_function(rules, kind="engagement")
        cells = defaultdict(lambda: [0, 0])
        for row in rows:
            cell = cells[lead_priority_of(fit(row), engagement(row), company)]
            cell[0] += row[4]
            cell[1] += row[4] if row[2] else 0
        values["priority_ids"] = [
            Command.create(
                {
                    "priority": priority,
                    "lead_count": leads,
                    "won_count": won_leads,
                    "won_rate": 100 * won_leads / leads,
                }
            )
            for priority, (leads, won_leads) in sorted(cells.items())
        ]
        values["line_ids"] = [
            Command.create(
                {
                    "sequence": sequence,
                    "score_bucket": key,
                    "lead_count": ranges[key][0],
                    "won_count": ranges[key][1],
                    "won_rate": 100 * ranges[key][1] / ranges[key][0],
                }
            )
            for sequence, (key, __, __) in enumerate(SCORE_BUCKETS)
            if ranges[key][0]
        ]
        return values

    @api.model
    def _get_points_function(self, rules, new_points=None, kind=None):
        """A function giving the score of a counted row (flags, points, ...)
        with the rules' current points, or with ``new_points`` (one per rule,
        an engagement rule's faded as its current points are), only the rules
        of ``kind`` when given."""
        kept = [kind is None or rule.rule_type == kind for rule, __ in rules]
        if new_points is None:
            return lambda row: sum(
                p for p, keep in zip(row[1], kept, strict=True) if keep
            )
        old_points = [rule.points for rule, __ in rules]

        def score(row):
            total = 0
            for flag, points, old, new, keep in zip(
                row[0], row[1], old_points, new_points, kept, strict=True
            ):
                if not (flag and keep):
                    continue
                # the share of the full points the lead had (fading)
                total += round_half_away(new * points / old) if old else new
            return total

        return score

    @api.model
    def _count_scores(self, rows, score):
        """{score: [won, lost]} of the counted ``rows``, scored by the
        function ``score`` (see ``_get_points_function``)."""
        counts = defaultdict(lambda: [0, 0])
        for row in rows:
            counts[score(row)][0 if row[2] else 1] += row[4]
        return counts

    @api.model
    def _get_suggested_points(self, rows, rules):
        """The suggested points of ``rules``, learned from the counted
        learning ``rows``: for each rule, the log of the odds ratio of winning
        between the leads it matches and the others (0.5 added to every count),
        POINTS_PER_ODDS_DOUBLING points for each doubling of the odds, within
        the points' bounds; its current points for a rule matching, or
        leaving, fewer than MIN_SUGGESTION_LEADS learning leads."""
        suggested = []
        for index, (rule, __) in enumerate(rules):
            # won/lost among the matched, then the unmatched leads
            counts = [[0, 0], [0, 0]]
            for flags, __, is_won, __, count in rows:
                counts[0 if flags[index] else 1][0 if is_won else 1] += count
            if min(sum(counts[0]), sum(counts[1])) < MIN_SUGGESTION_LEADS:
                suggested.append(rule.points)
                continue
            (won_in, lost_in), (won_out, lost_out) = counts
            log_odds_ratio = math.log((won_in + 0.5) / (lost_in + 0.5)) - math.log(
                (won_out + 0.5) / (lost_out + 0.5)
            )
            points = round(POINTS_PER_ODDS_DOUBLING * log_odds_ratio / math.log(2))
            suggested.append(max(-1000, min(1000, points)))
        return suggested

    # ------------------------------------------------------------ demo
    @api.model
    def _create_demo_history(self, count=360):
        """Demo data: ``count`` leads of the main company closed over the past
        year, won more often with a confirmed budget (an expected revenue),
        a phone number or found through a search engine, less often when
        they only ask for information, whatever their country (the Country
        known rule is noise), and more often when the customer wrote or met
        us before the closing (e-mails and meetings done, some e-mails after
        the closing too, which the evaluation leaves out); then an
        evaluation of the demo rules on them.
        Deterministic (a seeded generator); created in one create, one
        write, one archive and one SQL update of their dates."""
        generator = random.Random(21)
        company = self.env.ref("base.main_company")
        team = self.env.ref(
            "sales_team.team_sales_department", raise_if_not_found=False
        )
        search_engine = self.env.ref("utm.utm_source_search_engine")
        countries = [
            self.env.ref("base.vn"),
            self.env.ref("base.be"),
            self.env["res.country"],
        ]
        subjects = ["Office furniture", "Desks for a new office", "Meeting room chairs"]
        now = fields.Datetime.now().replace(microsecond=0)
        vals_list, won_flags, dates, events = [], [], [], []
        for index in range(count):
            budget = generator.random() < 0.4
            phone = generator.random() < 0.6
            email = generator.random() < 0.9
            searched = generator.random() < 0.25
            info = generator.random() < 0.15
            # engagement before the closing: the customer wrote, a meeting
            wrote = generator.random() < 0.45
            met = generator.random() < 0.3
            chance = (
                0.05
                + 0.25 * budget
                + 0.12 * phone
                + 0.05 * email
                + 0.1 * searched
                - 0.15 * info
                + 0.22 * wrote
                + 0.2 * met
            )
            won_flags.append(generator.random() < chance)
            closed = now - timedelta(days=generator.randint(1, 360))
            dates.append((closed - timedelta(days=generator.randint(5, 60)), closed))
            if wrote:
                events.append(
                    ("email", index, closed - timedelta(days=generator.randint(1, 25)))
                )
            if met:
                events.append(
                    (
                        "meeting",
                        index,
                        closed - timedelta(days=generator.randint(2, 40)),
                    )
                )
            # after the closing (a thank-you, a complaint): never counted
            if generator.random() < 0.3:
                events.append(
                    ("email", index, closed + timedelta(days=generator.randint(1, 5)))
                )
            vals_list.append(
                {
                    "name": ("Info request: " if info else "")
                    + generator.choice(subjects),
                    "type": "opportunity",
                    "company_id": company.id,
                    "team_id": team.id if team else False,
                    "user_id": False,
                    "expected_revenue": budget
                    and generator.randrange(2000, 60000, 500),
                    "phone": phone and f"+84 90 {index:03d} {index * 7 % 1000:03d}",
                    "email_from": email and f"buyer{index}@example.com",
                    "source_id": searched and search_engine.id,
                }
            )
        # the country is noise: by closing date, won and lost leads each get
        # Vietnam, Belgium and none in turn
        turns = {True: 0, False: 0}
        for index in sorted(range(count), key=lambda index: dates[index][1]):
            won = won_flags[index]
            vals_list[index]["country_id"] = countries[turns[won] % 3].id
            turns[won] += 1
        Lead = self.env["crm.lead"].with_context(tracking_disable=True)
        leads = Lead.create(vals_list)
        meeting = self.env.ref("mail.mail_activity_data_meeting")
        activities = self.env.ref("mail.mt_activities")
        comment = self.env.ref("mail.mt_comment")
        self.env["mail.message"].create(
            [
                {
                    "model": "crm.lead",
                    "res_id": leads[index].id,
                    "date": date,
                    "author_id": False,
                    "email_from": f"buyer{index}@example.com",
                    "message_type": "email",
                    "subtype_id": comment.id,
                    "body": "Could we talk about your offer?",
                }
                if kind == "email"
                else {
                    "model": "crm.lead",
                    "res_id": leads[index].id,
                    "date": date,
                    "author_id": self.env.user.partner_id.id,
                    "message_type": "notification",
                    "subtype_id": activities.id,
                    "mail_activity_type_id": meeting.id,
                    "body": "Meeting done",
                }
                for kind, index, date in events
            ]
        )
        won = leads.browse(
            [lead.id for lead, is_won in zip(leads, won_flags, strict=True) if is_won]
        )
        won.action_set_won()
        (leads - won).action_set_lost()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE crm_lead SET create_date = d.created, date_closed = d.closed
                     FROM unnest(%s::int[], %s::timestamp[], %s::timestamp[])
                          AS d(id, created, closed)
                    WHERE crm_lead.id = d.id""",
                leads.ids,
                [created for created, __ in dates],
                [closed for __, closed in dates],
            )
        )
        self.env.invalidate_all()
        # crm's predictive scoring learns from the leads created since its
        # start date: the demo company started using it with this history
        params = self.env["ir.config_parameter"].sudo()
        first = fields.Date.to_string(min(created for created, __ in dates).date())
        start = params.get_param("crm.pls_start_date")
        if not fields.Date.to_date(start) or start > first:
            params.set_param("crm.pls_start_date", first)
        return self.sudo().evaluate(company)

    # ------------------------------------------------------------ PLS
    def _get_pls_ranking_quality(self, date_from, split_id):
        """The ranking quality of crm's predictive probability on the
        checking leads, learned from the learning leads only, with crm's own
        code, in a savepoint rolled back: crm's frequency table emptied and
        rebuilt from the learning leads created since crm's start date
        (``crm.pls_start_date``, as crm's rebuild learns; None without any),
        then the checking
        leads' outcome fields neutralised (open, in the first stage, whose
        frequencies count every learning lead, no lost reason nor closing
        date) so that crm's naive Bayes reads nothing of their outcome. The
        outcome fields (``OUTCOME_FIELDS``) other than the stage are left
        out of the frequencies."""
        self.ensure_one()
        if not split_id:
            return None
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        domain = self._get_evaluation_domain(self.company_id, date_from)
        split_date = Lead.browse(split_id).date_closed
        later = [
            "|",
            ("date_closed", ">", split_date),
            "&",
            ("date_closed", "=", split_date),
            ("id", ">", split_id),
        ]
        # learned as crm learns it: from the closed leads created since its
        # start date (Settings > CRM > Predictive Lead Scoring)
        start = Lead._pls_get_safe_start_date()
        if not start:
            return None
        learning = Lead.search(
            expression.AND([domain, ["!", *later], [("create_date", ">=", start)]])
        )
        if not learning:
            return None
        checking = Lead.search(expression.AND([domain, later]))
        won_ids = set(
            Lead.search(expression.AND([domain, [("stage_id.is_won", "=", True)]])).ids
        )
        first_stage = self.env["crm.stage"].search(
            [("team_id", "=", False)], order="sequence, id", limit=1
        )
        probabilities = {}
        with self.env.cr.savepoint() as savepoint:
            self.env.cr.execute("DELETE FROM crm_lead_scoring_frequency")
            Lead._pls_update_frequency_table(
                self._get_pls_learning_frequencies(learning, won_ids), 1
            )
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """UPDATE crm_lead SET stage_id = %s, probability = 50,
                              active = TRUE, lost_reason_id = NULL,
                              date_closed = NULL
                        WHERE id = ANY(%s)""",
                    first_stage.id,
                    checking.ids,
                )
            )
            self.env.invalidate_all()
            probabilities = checking._pls_get_naive_bayes_probabilities(batch_mode=True)
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        counts = defaultdict(lambda: [0, 0])
        for lead_id in checking.ids:
            counts[probabilities.get(lead_id, 0)][0 if lead_id in won_ids else 1] += 1
        return ranking_quality(counts)

    @api.model
    def _get_pls_learning_frequencies(self, learning, won_ids):
        """crm's frequencies per team ({team id: frequencies}) of the
        ``learning`` leads, won when in ``won_ids``."""
        Lead = self.env["crm.lead"].sudo()
        lead_values = learning._pls_get_lead_pls_values(
            domain=[("id", "in", learning.ids)]
        )
        rows_by_team, pls_fields = defaultdict(list), set()
        for lead_id, values in lead_values.items():
            probability = 100 if lead_id in won_ids else 0
            row = {"count": 1, "probability": probability}
            for field, value in values["values"]:
                if field in OUTCOME_FIELDS - {"stage_id"}:
                    continue
                pls_fields.add(field)
                if field == "tag_id":
                    rows_by_team[values["team_id"]].append(
                        {field: value, "count": 1, "probability": probability}
                    )
                else:
                    row[field] = value
            rows_by_team[values["team_id"]].append(row)
        return {
            team_id: Lead._pls_prepare_frequencies(rows, sorted(pls_fields))
            for team_id, rows in rows_by_team.items()
        }


class CrmLeadScoringEvaluationLine(models.Model):
    _name = "crm.lead.scoring.evaluation.line"
    _description = "Lead Scoring Evaluation Score Range"
    _order = "evaluation_id, sequence"

    evaluation_id = fields.Many2one(
        "crm.lead.scoring.evaluation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True)
    sequence = fields.Integer()
    score_bucket = fields.Selection(
        [(key, label) for key, label, __ in SCORE_BUCKETS],
        string="Score Range",
        required=True,
    )
    lead_count = fields.Integer(string="Leads", aggregator="sum")
    won_count = fields.Integer(string="Won", aggregator="sum")
    won_rate = fields.Float(string="Won Rate (%)", digits=(16, 1), aggregator="avg")


class CrmLeadScoringEvaluationPriority(models.Model):
    """The closed leads of an evaluation in one cell of the lead priority
    matrix (fit grade x engagement level, graded as of their closing with
    the company's thresholds): does A1 really win more than C3?"""

    _name = "crm.lead.scoring.evaluation.priority"
    _description = "Lead Scoring Evaluation Priority"
    _order = "evaluation_id, priority"

    evaluation_id = fields.Many2one(
        "crm.lead.scoring.evaluation", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="evaluation_id.company_id", store=True)
    priority = fields.Selection(LEAD_PRIORITIES, string="Lead Priority", required=True)
    lead_count = fields.Integer(string="Leads", aggregator="sum")
    won_count = fields.Integer(string="Won", aggregator="sum")
    won_rate = fields.Float(string="Won Rate (%)", digits=(16, 1), aggregator="avg")
