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
        cls.user_sales_manager = mail_new_test_user(
            cls.env,
            login="scoring_manager",
            name="Scoring Manager",
            groups="sales_team.group_sale_manager,base.group_partner_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_2).ids)],
        )
        cls.user_sales_salesman = mail_new_test_user(
            cls.env,
            login="scoring_salesman",
            name="Scoring Salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
        )
        cls.user_sales_salesman_2 = mail_new_test_user(
            cls.env,
            login="scoring_salesman_2",
            name="Scoring Salesman 2",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
        )
        cls.user_sales_salesman_c2 = mail_new_test_user(
            cls.env,
            login="scoring_salesman_c2",
            name="Scoring Salesman Company 2",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company_2.id,
            company_ids=[(6, 0, cls.company_2.ids)],
        )
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
