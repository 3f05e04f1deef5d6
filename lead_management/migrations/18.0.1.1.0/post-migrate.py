from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """Release 18.0.1.0.0 put every lead that existed at its install in the
    fallback status "Unknown". Give those that nobody has moved since the
    status an install gives now (from crm's stage: won, lost, the stage's
    status, else the default), set-based and without chatter message.

    A lead is left alone when a user moved it to "Unknown" (a tracked change
    from another status, e.g. when its status was deleted)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    fallback = env.ref("lead_management.lead_status_unknown", raise_if_not_found=False)
    if not fallback:
        return
    cr.execute(
        SQL(
            """
            UPDATE crm_lead lead
               SET lead_status_id = NULL
             WHERE lead.lead_status_id = %(fallback)s
               AND NOT EXISTS (
                   SELECT 1
                     FROM mail_message message
                     JOIN mail_tracking_value value
                       ON value.mail_message_id = message.id
                     JOIN ir_model_fields field ON field.id = value.field_id
                    WHERE message.model = 'crm.lead'
                      AND message.res_id = lead.id
                      AND field.model = 'crm.lead'
                      AND field.name = 'lead_status_id'
                      AND COALESCE(value.old_value_integer, 0) <> 0
               )
            """,
            fallback=fallback.id,
        )
    )
    env["crm.lead"]._init_existing_leads()
