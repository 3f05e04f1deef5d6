{
    "name": "Lead Management",
    "summary": "Lead statuses, territories, BANT qualification, returning leads "
    "and team-level visibility on top of Odoo CRM",
    "version": "18.0.1.1.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["lead-crm"],
    "depends": ["crm"],
    "external_dependencies": {"python": ["phonenumbers"]},
    "data": [
        "security/lead_management_security.xml",
        "security/ir.model.access.csv",
        "data/crm_lead_status_data.xml",
        "data/ir_cron_data.xml",
        "views/crm_lead_status_views.xml",
        "views/crm_territory_views.xml",
        "views/crm_lead_views.xml",
        "views/mail_message_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/crm_lead_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_management/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "images": ["static/description/lead_management_kanban.png"],
    "installable": True,
    "application": False,
}
