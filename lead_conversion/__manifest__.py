{
    "name": "Lead Conversion",
    "summary": "Convert qualified leads into customers and opportunities, "
    "without duplicates and keeping their history",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "depends": ["lead_management"],
    "data": [
        "security/ir.model.access.csv",
        "wizards/crm_lead_conversion_views.xml",
        "views/crm_lead_views.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_conversion/static/tests/tours/**/*",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
