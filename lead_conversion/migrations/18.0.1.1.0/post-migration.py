"""18.0.1.1: the conversion is crm's own wizard, extended. Version 1 had its own
wizard and took crm's mass conversion out of the leads list's actions: give it
back."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    action = env.ref("crm.action_crm_send_mass_convert", raise_if_not_found=False)
    if action and not action.binding_model_id:
        action.write(
            {
                "binding_model_id": env["ir.model"]._get_id("crm.lead"),
                "binding_view_types": "list",
            }
        )
