"""18.0.1.8.0:

- the figures of a rule's last evaluation are kept per company (company
  dependent fields, jsonb keyed by company): each rule's figures move to the
  company of the evaluation they come from;
- what the daily fading pass reads of a lead moves from a jsonb
object ({rule id: [latest event, end, points]}) to a two-dimensional array
of double precision (``crm_lead_score.engagement_terms``, a row [rule id,
latest event, end, points] per rule), several times cheaper to build when
every lead is scored. One statement converts the rows, then the old column
is dropped."""

from odoo.tools import SQL, sql

#: the evaluation figures of a rule, the evaluation itself last (the others
#: are moved to its company)
EVAL_COLUMNS = (
    "eval_state",
    "eval_note",
    "eval_matched_count",
    "eval_won_rate",
    "eval_unmatched_won_rate",
    "eval_lift",
    "suggested_points",
    "eval_evaluation_id",
)


def migrate(cr, version):
    _migrate_evaluation_figures(cr)
    _migrate_engagement_terms(cr)


def _migrate_evaluation_figures(cr):
    if not sql.column_exists(cr, "crm_lead_scoring_rule", "eval_evaluation_id"):
        return
    cr.execute(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'crm_lead_scoring_rule'"
        " AND column_name = 'eval_evaluation_id'"
    )
    if cr.fetchone()[0] == "jsonb":
        return
    for column in EVAL_COLUMNS:
        if not sql.column_exists(cr, "crm_lead_scoring_rule", column):
            continue
        cr.execute(
            SQL(
                """
                ALTER TABLE crm_lead_scoring_rule RENAME COLUMN %(column)s TO %(old)s;
                ALTER TABLE crm_lead_scoring_rule ADD COLUMN %(column)s jsonb;
                UPDATE crm_lead_scoring_rule r
                   SET %(column)s = jsonb_build_object(e.company_id::text,
                                                       to_jsonb(r.%(old)s))
                  FROM crm_lead_scoring_evaluation e
                 WHERE e.id = %(evaluation)s AND r.%(old)s IS NOT NULL;
                ALTER TABLE crm_lead_scoring_rule DROP COLUMN %(old)s;
                """,
                column=SQL.identifier(column),
                old=SQL.identifier(f"{column}_old"),
                evaluation=SQL.identifier(
                    "eval_evaluation_id_old"
                    if column == "eval_evaluation_id"
                    else "eval_evaluation_id"
                ),
            )
        )


def _migrate_engagement_terms(cr):
    if not sql.column_exists(cr, "crm_lead_score", "engagement_data"):
        return
    cr.execute(
        """
        ALTER TABLE crm_lead_score
          ADD COLUMN IF NOT EXISTS engagement_terms double precision[];
        UPDATE crm_lead_score s
           SET engagement_terms = (
               SELECT array_agg(ARRAY[e.key::float8, (e.value->>0)::float8,
                                      (e.value->>1)::float8, (e.value->>2)::float8]
                                ORDER BY e.key::int)
                 FROM jsonb_each(s.engagement_data) e)
         WHERE s.engagement_data IS NOT NULL
           AND jsonb_typeof(s.engagement_data) = 'object';
        ALTER TABLE crm_lead_score DROP COLUMN engagement_data;
        """
    )
