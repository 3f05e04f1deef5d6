from odoo import SUPERUSER_ID, api

OLD_DOMAIN = (
    '[("create_date", "<", '
    '(context_today() - relativedelta(days=30)).strftime("%Y-%m-%d"))]'
)
NEW_DOMAIN = (
    '["&", ("date_deadline", ">=", context_today().strftime("%Y-%m-%d")), '
    '("date_deadline", "<=", '
    '(context_today() + relativedelta(days=30)).strftime("%Y-%m-%d"))]'
)


def migrate(cr, version):
    """The example "Created more than 30 days ago" showed "Not a valid
    datetime" in the domain editor: replace it by "Expected closing within
    30 days", which the editor shows as "is within", unless an administrator
    changed or activated it (then it is theirs). Its name keeps only English:
    the upgrade then loads the other languages' translations of the new name."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("lead_scoring.crm_lead_scoring_rule_closing_soon", False)
    if rule and not rule.active and rule.domain == OLD_DOMAIN:
        rule.write({"points": 10, "domain": NEW_DOMAIN})
        cr.execute(
            """
            UPDATE crm_lead_scoring_rule
               SET name = jsonb_build_object('en_US', %s)
             WHERE id = %s
            """,
            ["Expected closing within 30 days", rule.id],
        )
