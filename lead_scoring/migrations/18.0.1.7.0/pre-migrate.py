"""18.0.1.7.0: a lead's score is the sum of its fit score and its engagement
score. Every rule of the earlier versions is a fit rule: each lead's fit
score is its score, its engagement score 0 (one statement, before the ORM
adds the columns)."""

from odoo.tools import sql


def migrate(cr, version):
    if not sql.column_exists(cr, "crm_lead_score", "score"):
        return
    if sql.column_exists(cr, "crm_lead_score", "fit_score"):
        return
    cr.execute(
        """
        ALTER TABLE crm_lead_score ADD COLUMN fit_score integer,
                                   ADD COLUMN engagement_score integer;
        UPDATE crm_lead_score SET fit_score = score, engagement_score = 0;
        """
    )
