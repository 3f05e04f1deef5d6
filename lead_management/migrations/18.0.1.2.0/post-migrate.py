from odoo import SUPERUSER_ID, api
from odoo.tools import SQL


def migrate(cr, version):
    """18.0.1.2.0: the conversion rate of the existing leads (its column
    created with 0 for all) is 100 for the converted ones (opportunities and
    leads in the status Customer), in one statement."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    customer = env.ref("lead_management.lead_status_customer", raise_if_not_found=False)
    cr.execute(
        SQL(
            """
            UPDATE crm_lead SET conversion_rate = 100
             WHERE (type = 'opportunity' OR lead_status_id = %s)
               AND conversion_rate IS DISTINCT FROM 100
            """,
            customer.id if customer else None,
        )
    )
