def post_init_hook(env):
    """Leads that existed before the install get the fallback status."""
    fallback = env.ref("lead_management.lead_status_unknown")
    leads = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search([("lead_status_id", "=", False)])
    )
    if leads:
        leads.write({"lead_status_id": fallback.id})
