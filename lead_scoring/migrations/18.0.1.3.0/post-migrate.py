from odoo.addons.lead_scoring.models.crm_lead import score_bucket_sql
from odoo.tools import SQL


def migrate(cr, version):
    """18.0.1.3.0: the score range of the lead analysis. Its column is created
    with the range of 0 for every lead; the leads scoring otherwise get
    theirs in one statement."""
    bucket = score_bucket_sql(SQL("COALESCE(lead_score, 0)"))
    cr.execute(
        SQL(
            "UPDATE crm_lead SET score_bucket = %s"
            " WHERE score_bucket IS DISTINCT FROM %s",
            bucket,
            bucket,
        )
    )
