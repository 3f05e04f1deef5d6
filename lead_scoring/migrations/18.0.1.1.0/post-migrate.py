from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """A company's rules now also score the leads without company (crm's
    unassigned leads): rescore those, set-based."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._scoring_rescore(scope_domain=[("company_id", "=", False)])
