from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import TransactionCase


class LeadScoringCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # only this test's rules count
        cls.env["crm.lead.scoring.rule"].search([]).action_archive()
        cls.company = cls.env.ref("base.main_company")
        cls.company_2 = cls.env["res.company"].create({"name": "Scoring Company 2"})
        both = cls.company | cls.company_2
        for attribute, login, groups, companies in (
            (
                "user_sales_manager",
                "scoring_manager",
                "sales_team.group_sale_manager,base.group_partner_manager",
                both,
            ),
            (
                "user_sales_salesman",
                "scoring_salesman",
                "sales_team.group_sale_salesman_all_leads",
                cls.company,
            ),
            (
                "user_sales_salesman_2",
                "scoring_salesman_2",
                "sales_team.group_sale_salesman_all_leads",
                cls.company,
            ),
            (
                "user_sales_salesman_c2",
                "scoring_salesman_c2",
                "sales_team.group_sale_salesman_all_leads",
                cls.company_2,
            ),
        ):
            user = mail_new_test_user(
                cls.env,
                login=login,
                name=login.replace("_", " ").title(),
                groups=groups,
                company_id=companies[0].id,
                company_ids=[Command.set(companies.ids)],
            )
            setattr(cls, attribute, user)
        cls.country_be = cls.env.ref("base.be")
        cls.country_vn = cls.env.ref("base.vn")
        cls.campaign = cls.env["utm.campaign"].create({"name": "Scoring Campaign"})
        cls.tag_vip = cls.env["crm.tag"].create({"name": "Scoring VIP"})
        cls.Rule = cls.env["crm.lead.scoring.rule"]
        cls.Lead = cls.env["crm.lead"]

    @classmethod
    def _create_rule(cls, name, points, domain, company=False, **values):
        return cls.Rule.create(
            dict(
                name=name,
                points=points,
                domain=domain if isinstance(domain, str) else repr(domain),
                company_id=company and company.id,
                **values,
            )
        )

    @classmethod
    def _create_lead(cls, name, **values):
        return cls.Lead.create(dict(name=name, type="lead", **values))

    def _set_rule_domain_in_sql(self, rule, domain):
        """Change a rule's domain without a write, as uninstalling the module
        of a field it reads (or installing it back) does."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead_scoring_rule SET domain = %s WHERE id = %s",
            [domain, rule.id],
        )
        rule.invalidate_recordset(["domain"])

    def _set_lead_in_sql(self, leads, column, value):
        """Change a column of leads without a write, as crm's predictive
        scoring cron or an import in SQL does."""
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE crm_lead SET {column} = %s WHERE id = ANY(%s)",  # noqa: S608
            [value, leads.ids],
        )
        leads.invalidate_recordset([column])
