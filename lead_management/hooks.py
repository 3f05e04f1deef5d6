"""Install and uninstall of lead_management on a database that already has
leads: everything computed for the existing records is computed set-based and
posts no chatter message; uninstalling gives crm back what the install changed.
"""

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.tools import SQL, sql

#: system parameter recording whether crm's Leads feature was on for internal
#: users before the install, so that uninstalling restores it
LEADS_FEATURE_PARAM = "lead_management.leads_feature_before_install"

#: crm's leads analysis actions, whose pivot and graph views the addon replaces
CRM_ANALYSIS_VIEWS = {
    "crm.crm_lead_all_leads_view_pivot": "crm.crm_lead_view_pivot",
    "crm.crm_lead_all_leads_view_graph": "crm.crm_lead_view_graph",
}


def is_uninstalling(env):
    """Whether lead_management's records are being removed by its uninstall:
    Odoo's uninstall flag (``_force_unlink``) in the context *and* the addon
    marked for removal. The context key alone proves nothing, any RPC client
    can send it."""
    if not env.context.get(MODULE_UNINSTALL_FLAG):
        return False
    env.cr.execute(
        "SELECT 1 FROM ir_module_module"
        " WHERE name = 'lead_management' AND state = 'to remove'"
    )
    return bool(env.cr.fetchone())


def add_columns(model, values):
    """Create the columns of ``model``'s fields named in ``values`` that do not
    exist yet, each holding its given value in every existing row (None: left
    empty). PostgreSQL records a constant default of a new column for the
    existing rows without rewriting the table; the default is dropped right
    after. The ORM then finds the columns in place: it neither computes the
    fields record by record nor initializes them with one UPDATE each."""
    cr = model.env.cr
    if not sql.table_exists(cr, model._table):
        return
    table = SQL.identifier(model._table)
    for name, value in values.items():
        if sql.column_exists(cr, model._table, name):
            continue
        field = model._fields[name]
        column = SQL.identifier(name)
        column_type = SQL(field.column_type[1])
        if value is not None and field.required:
            column_type = SQL("%s NOT NULL", column_type)
        if value is None:
            cr.execute(
                SQL("ALTER TABLE %s ADD COLUMN %s %s", table, column, column_type)
            )
        else:
            cr.execute(
                SQL(
                    "ALTER TABLE %s ADD COLUMN %s %s DEFAULT %s;"
                    " ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
                    table,
                    column,
                    column_type,
                    value,
                    table,
                    column,
                )
            )
        cr.execute(
            SQL(
                "COMMENT ON COLUMN %s IS %s",
                SQL.identifier(model._table, name),
                field.string,
            )
        )


def fill_columns(model, query, names):
    """Set the columns ``names`` of ``model``'s rows from ``query`` (the id and
    those columns of the rows to fill; the other rows keep their values), in
    one rewrite of the table: PostgreSQL writes the table once and builds its
    indexes in bulk, where an UPDATE of every row would add a new version of
    each row to every index of the table (about thirty for crm_lead)."""
    cr = model.env.cr
    cr.execute(
        SQL(
            "DROP TABLE IF EXISTS lead_management_fill CASCADE;"
            " CREATE TEMPORARY TABLE lead_management_fill AS %s",
            query,
        )
    )
    if cr.rowcount:
        cr.execute(
            "ALTER TABLE lead_management_fill ADD PRIMARY KEY (id);"
            " ANALYZE lead_management_fill;"
            " CREATE FUNCTION pg_temp.lead_management_fill(int4)"
            " RETURNS lead_management_fill LANGUAGE sql STABLE"
            " AS 'SELECT * FROM lead_management_fill WHERE id = $1'"
        )
        cr.execute(
            SQL(
                "ALTER TABLE %s %s",
                SQL.identifier(model._table),
                SQL(", ").join(
                    SQL(
                        "ALTER COLUMN %(column)s TYPE %(type)s USING COALESCE("
                        "(pg_temp.lead_management_fill(id)).%(column)s, %(column)s)",
                        column=SQL.identifier(name),
                        type=SQL(model._fields[name].column_type[1]),
                    )
                    for name in names
                ),
            )
        )
    cr.execute("DROP TABLE lead_management_fill CASCADE")
    model.invalidate_model(names)


def post_init_hook(env):
    """Existing partners and leads get their values set-based, without
    chatter messages; crm's Leads feature is turned on for internal users."""
    env["res.partner"]._init_phone_normalized()
    env["crm.lead"]._init_existing_leads()
    _enable_leads_feature(env)


def uninstall_hook(env):
    """Give crm back what the install changed: the Leads feature as it was,
    the leads analysis views; let the statuses go without touching the
    leads, whose status column is dropped with the addon."""
    _restore_leads_feature(env)
    for action_view_xmlid, view_xmlid in CRM_ANALYSIS_VIEWS.items():
        action_view = env.ref(action_view_xmlid, raise_if_not_found=False)
        view = env.ref(view_xmlid, raise_if_not_found=False)
        if action_view and view:
            action_view.view_id = view
    # the status of a lead cannot be deleted while leads use it (ondelete
    # restrict): drop that foreign key now, rather than emptying the column of
    # every lead just before it is dropped
    for name in sql.get_foreign_keys(
        env.cr, "crm_lead", "lead_status_id", "crm_lead_status", "id", "restrict"
    ):
        sql.drop_constraint(env.cr, "crm_lead", name)


def _enable_leads_feature(env):
    """Turn on crm's Leads feature for internal users, as Settings > CRM >
    Leads does, remembering whether it was on already."""
    internal = env.ref("base.group_user")
    use_lead = env.ref("crm.group_use_lead")
    env["ir.config_parameter"].set_param(
        LEADS_FEATURE_PARAM, "on" if use_lead in internal.implied_ids else "off"
    )
    internal._apply_group(use_lead)


def _restore_leads_feature(env):
    """Turn crm's Leads feature off again, as Settings > CRM > Leads does,
    when it was off before the install. Databases installed before this was
    recorded keep it as it is."""
    params = env["ir.config_parameter"]
    if params.get_param(LEADS_FEATURE_PARAM) == "off":
        env.ref("base.group_user")._remove_group(env.ref("crm.group_use_lead"))
    params.search([("key", "=", LEADS_FEATURE_PARAM)]).unlink()
