from odoo import fields, models
from odoo.tools import SQL, sql

#: the lead priorities, best first: fit grade A, B, C (who the lead is) x
#: engagement level 1, 2, 3 (what it did)
LEAD_PRIORITIES = [
    (f"{grade}{level}", f"{grade}{level}") for grade in "ABC" for level in "123"
]

#: columns of crm_lead where the scores were kept before crm.lead.score
OLD_COLUMNS = ("lead_score", "score_bucket", "score_rule_data", "score_date")


class CrmLeadScore(models.Model):
    """The score of a lead, in a table of its own: a scoring of every lead
    writes these narrow rows (a few columns, three indexes) instead of
    rewriting the rows of ``crm_lead`` and its many indexes. The lead's score
    fields read them (see ``crm.lead._field_to_sql``); a lead without a row
    has a score of 0 and matched no rule. Written by the scoring only."""

    _name = "crm.lead.score"
    _description = "Lead Score"
    _log_access = False
    _rec_name = "lead_id"
    # a row is visible exactly when its lead is (see ir.rule._compute_domain)
    _lead_access_field = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    score = fields.Integer(required=True, default=0, index=True)
    fit_score = fields.Integer(default=0)
    engagement_score = fields.Integer(default=0)
    rule_data = fields.Json(
        string="Matched Scoring Rule IDs",
        help="Sorted ids of the rules matched at the last scoring.",
    )
    date = fields.Datetime(help="When the score last changed.")
    priority = fields.Selection(
        LEAD_PRIORITIES,
        help="Fit grade (A, B, C) and engagement level (1, 2, 3) of the lead, "
        "from its company's thresholds.",
    )
    # engagement_terms (float8[][], created by init, no field: the ORM has
    # no array of numbers): for each matched engagement rule whose points
    # change with time alone, a row [rule id, its latest event, when the lead
    # stops matching without a new event (or null), its points at the last
    # scoring], epochs in seconds; what the daily fading pass reads instead of
    # the events (see crm.lead._scoring_fade)

    _sql_constraints = [
        ("lead_unique", "UNIQUE(lead_id)", "A lead has a single score."),
    ]

    def init(self):
        """Add the column of the engagement terms. Move the scores kept in
        crm_lead by earlier versions (before their
        post-migration scripts, which rescore) to this table: one statement,
        the leads scoring 0 without matched rules need no row; then drop those
        columns of crm_lead."""
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE crm_lead_score"
            " ADD COLUMN IF NOT EXISTS engagement_terms double precision[]"
        )
        if not sql.column_exists(cr, "crm_lead", "lead_score"):
            return
        has = {name: sql.column_exists(cr, "crm_lead", name) for name in OLD_COLUMNS}
        rule_data = SQL("score_rule_data") if has["score_rule_data"] else SQL("NULL")
        date = SQL("score_date") if has["score_date"] else SQL("NULL")
        cr.execute(
            SQL(
                """
                INSERT INTO crm_lead_score (lead_id, score, rule_data, date)
                SELECT id, COALESCE(lead_score, 0), %(rule_data)s, %(date)s
                  FROM crm_lead
                 WHERE COALESCE(lead_score, 0) <> 0 OR %(rule_data)s IS NOT NULL
                    ON CONFLICT (lead_id) DO NOTHING
                """,
                rule_data=rule_data,
                date=date,
            )
        )
        cr.execute(
            SQL(
                "ALTER TABLE crm_lead %s",
                SQL(", ").join(
                    SQL("DROP COLUMN %s", SQL.identifier(name))
                    for name in OLD_COLUMNS
                    if has[name]
                ),
            )
        )


def days_pass_sql(days):
    """SQL dating the leads' mail messages and what the scoring kept of their
    events (``crm_lead_score.engagement_terms``) ``days`` days earlier: as if
    that many days passed (the page views of website_crm are not moved). The
    tests and the benchmark run it."""
    statements = [
        SQL(
            "UPDATE mail_message SET date = date - make_interval(days => %s)"
            " WHERE model = 'crm.lead'",
            days,
        ),
        # a row [rule id, latest event, end, points]: both epochs earlier
        SQL(
            """UPDATE crm_lead_score s SET engagement_terms = (
                      SELECT array_agg(ARRAY[s.engagement_terms[i][1],
                                             s.engagement_terms[i][2] - %(seconds)s,
                                             s.engagement_terms[i][3] - %(seconds)s,
                                             s.engagement_terms[i][4]] ORDER BY i)
                        FROM generate_subscripts(s.engagement_terms, 1) i)
                WHERE s.engagement_terms IS NOT NULL""",
            seconds=days * 86400,
        ),
    ]
    return SQL("; ").join(statements)
