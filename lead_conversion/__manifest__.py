{
    "name": "Lead Conversion",
    "summary": "Convert qualified leads into customers and opportunities, "
    "without duplicates and keeping their history",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["lead-crm"],
    "depends": ["lead_management"],
    "data": [
        "data/mail_templates_chatter.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/crm_lead_to_opportunity_views.xml",
        "wizards/crm_lead_to_opportunity_mass_views.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "lead_conversion/static/src/**/*",
        ],
        "web.assets_tests": [
            "lead_conversion/static/tests/tours/**/*",
        ],
    },
    "images": ["static/description/lead_conversion_wizard.png"],
    "installable": True,
    "application": False,
}
