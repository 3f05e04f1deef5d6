from odoo.tools import SQL, sql


def migrate(cr, version):
    """18.0.1.2.0: the preloaded status *Qualified* requires a BANT
    qualification, as on a new install (its record is not updated otherwise:
    statuses are the users' data). Set before the module loads, so that the
    post-migration of 18.0.1.1.0 (statuses of the leads left in "Unknown")
    already follows the rule; the leads already in *Qualified* keep it."""
    if not sql.column_exists(cr, "crm_lead_status", "requires_qualification"):
        cr.execute(
            "ALTER TABLE crm_lead_status ADD COLUMN requires_qualification boolean"
        )
    cr.execute(
        SQL(
            """
            UPDATE crm_lead_status SET requires_qualification = TRUE
             WHERE id IN (SELECT res_id FROM ir_model_data
                           WHERE module = 'lead_management'
                             AND name = 'lead_status_qualified'
                             AND model = 'crm.lead.status')
            """
        )
    )
