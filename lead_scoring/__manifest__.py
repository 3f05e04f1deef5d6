{
    "name": "Lead Scoring",
    "summary": "Rule-based lead scores, team minimum scores and assignment "
    "of the best leads",
    "version": "18.0.1.9.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["lead-crm"],
    "depends": ["crm"],
    "data": [
        "security/lead_scoring_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/crm_lead_scoring_rule_data.xml",
        "data/mail_templates.xml",
        "views/crm_lead_scoring_rule_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_team_views.xml",
        "views/crm_lead_scoring_evaluation_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/crm_lead_scoring_rule_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "lead_scoring/static/tests/tours/*.js",
        ],
    },
    "images": ["static/description/lead_scoring_rule_form.png"],
    "installable": True,
    "application": False,
}
