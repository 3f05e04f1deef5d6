{
    "name": "Lead Scoring: Website",
    "summary": "Engagement rules on the pages a lead's website visitors viewed, "
    "rescored within a minute of each visit",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["lead-crm"],
    "depends": ["lead_scoring", "website_crm"],
    "demo": ["demo/crm_lead_scoring_rule_demo.xml"],
    "installable": True,
    "auto_install": True,
    "application": False,
}
