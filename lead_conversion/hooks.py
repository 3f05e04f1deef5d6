def uninstall_hook(env):
    """Give crm back its own mass conversion in the leads list."""
    action = env.ref("crm.action_crm_send_mass_convert", raise_if_not_found=False)
    if action:
        action.write(
            {
                "binding_model_id": env["ir.model"]._get_id("crm.lead"),
                "binding_view_types": "list",
            }
        )
