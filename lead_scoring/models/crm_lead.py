import logging

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

#: leads are scored by batches of this many ids (one SQL statement per rule
#: per batch)
SCORE_BATCH_SIZE = 50000
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
        string="Score Date",
        readonly=True,
        copy=False,
        help="When the score last changed.",
    )
    score_history_ids = fields.One2many(
        "crm.lead.score.history",
        "lead_id",
        string="Score History",
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
            set(vals) - SCORE_FIELDS
            and not self.env.context.get("lead_scoring_no_recompute")
            and self.ids
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

    def _score_leads(self):
        """Recompute the scores of the leads in self."""
        if self:
            self._recompute_lead_scores(scope_domain=[("id", "in", self.ids)])

    @api.model
    def _recompute_lead_scores(self, scope_domain=None):
        """Recompute the scores of the active, not won leads matching
        ``scope_domain`` (all of them when not given), set-based: per batch of
        leads one statement per rule, one cleanup statement and one statement
        updating the scores and writing the history of the changed ones.

        :return: number of leads scored
        """
        Lead = self.sudo().with_context(active_test=False)
        self.env.flush_all()
        scope = expression.AND([scope_domain or [], self._get_scoring_scope_domain()])
        rules = Lead._get_scoring_rules()
        self.env.cr.execute(Lead._search(scope, order="id").select())
        lead_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(lead_ids), SCORE_BATCH_SIZE):
            Lead._score_batch(lead_ids[start : start + SCORE_BATCH_SIZE], rules)
        if lead_ids:
            self.env["crm.lead"].invalidate_model(
                ["lead_score", "score_date", "score_rule_ids", "score_history_ids"]
            )
            self.env["crm.lead.score.history"].invalidate_model()
        return len(lead_ids)

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
    def _score_batch(self, lead_ids, rules):
        """Score the leads ``lead_ids`` (active, not won) with ``rules``."""
        cr = self.env.cr
        for rule, domain in rules:
            query = self._search(domain)
            query.add_where(
                SQL("%s = ANY(%s)", SQL.identifier(query.table, "id"), lead_ids)
            )
            cr.execute(
                SQL(
                    """
                    WITH matched AS (%(matched)s),
                    removed AS (
                        DELETE FROM crm_lead_scoring_rule_rel rel
                         WHERE rel.rule_id = %(rule)s
                           AND rel.lead_id = ANY(%(leads)s)
                           AND rel.lead_id NOT IN (SELECT id FROM matched)
                    )
                    INSERT INTO crm_lead_scoring_rule_rel (lead_id, rule_id)
                    SELECT m.id, %(rule)s FROM matched m
                     WHERE NOT EXISTS (
                        SELECT 1 FROM crm_lead_scoring_rule_rel rel
                         WHERE rel.lead_id = m.id AND rel.rule_id = %(rule)s)
                    ON CONFLICT DO NOTHING
                    """,
                    matched=query.subselect(),
                    rule=rule.id,
                    leads=lead_ids,
                )
            )
        # matches of rules archived, deleted or skipped
        cr.execute(
            SQL(
                """
                DELETE FROM crm_lead_scoring_rule_rel
                 WHERE lead_id = ANY(%s) AND rule_id <> ALL(%s)
                """,
                lead_ids,
                [rule.id for rule, _domain in rules] or [0],
            )
        )
        now = cr.now()
        cr.execute(
            SQL(
                """
                WITH totals AS (
                    SELECT lead.id, lead.lead_score AS old_score,
                           COALESCE(SUM(rule.points), 0) AS new_score
                      FROM crm_lead lead
                      LEFT JOIN crm_lead_scoring_rule_rel rel ON rel.lead_id = lead.id
                      LEFT JOIN crm_lead_scoring_rule rule ON rule.id = rel.rule_id
                     WHERE lead.id = ANY(%(leads)s)
                     GROUP BY lead.id
                ), changed AS (
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
                leads=lead_ids,
                now=now,
            )
        )
