{
    "name": "Lead Management",
    "summary": "Lead statuses, territories, BANT qualification, returning leads "
    "and team-level visibility on top of Odoo CRM",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "depends": ["crm"],
    "data": [
        "security/ir.model.access.csv",
        "data/res_groups_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_management/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
