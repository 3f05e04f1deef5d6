{
    "name": "Lead Scoring",
    "summary": "Rule-based lead scores, team minimum scores and assignment "
    "of the best leads",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "website": "https://github.com/lead-crm/lead-crm",
    "author": "Lead CRM",
    "license": "LGPL-3",
    "depends": ["crm"],
    "data": [
        "security/ir.model.access.csv",
        "views/crm_team_views.xml",
    ],
    "installable": True,
    "application": False,
}
