from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import TransactionCase

QUALIFIED = {
    "bant_budget": "yes",
    "bant_authority": "decision_maker",
    "bant_need": "identified",
}


class LeadConversionCommon(TransactionCase):
    """Users of each role, a Vietnamese company, a team and qualified leads,
    without relying on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.company.country_id = cls.env.ref("base.vn")
        cls.company_2 = cls.env["res.company"].create(
            {"name": "Chi nhánh Đà Nẵng", "country_id": cls.env.ref("base.vn").id}
        )
        cls.env.ref("base.user_admin").company_ids |= cls.company_2
        cls.user_salesman = mail_new_test_user(
            cls.env,
            login="lc_salesman",
            name="Trần Văn Bán",
            email="salesman@lc.example.com",
            groups="sales_team.group_sale_salesman,base.group_partner_manager,"
            "crm.group_use_lead",
        )
        cls.user_salesman_2 = mail_new_test_user(
            cls.env,
            login="lc_salesman_2",
            name="Lê Thị Hàng",
            email="salesman2@lc.example.com",
            groups="sales_team.group_sale_salesman,base.group_partner_manager,"
            "crm.group_use_lead",
        )
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="lc_manager",
            name="Nguyễn Thị Quản",
            email="manager@lc.example.com",
            groups="sales_team.group_sale_manager,base.group_partner_manager,"
            "crm.group_use_lead",
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Đội Miền Bắc",
                "company_id": cls.company.id,
                "crm_team_member_ids": [
                    Command.create({"user_id": cls.user_salesman.id}),
                    Command.create({"user_id": cls.user_salesman_2.id}),
                ],
            }
        )
        cls.stage_first = cls.env["crm.stage"].create(
            {"name": "Mới (Đội Miền Bắc)", "sequence": -100, "team_id": cls.team.id}
        )
        cls.status_customer = cls.env.ref("lead_management.lead_status_customer")

    @classmethod
    def _lead(cls, **values):
        vals = {
            "name": "Cơ hội phần mềm",
            "type": "lead",
            "partner_name": "Công ty TNHH Ánh Dương",
            "contact_name": "Nguyễn Văn An",
            "email_from": "an.nguyen@anhduong.vn",
            "phone": "0912 345 678",
            "street": "12 Lý Thường Kiệt",
            "city": "Hà Nội",
            "country_id": cls.env.ref("base.vn").id,
            "website": "https://anhduong.vn",
            "vat": "0101234567",
            "user_id": cls.user_salesman.id,
            "team_id": cls.team.id,
            **QUALIFIED,
        }
        vals.update(values)
        return cls.env["crm.lead"].create(vals)

    def _wizard(self, leads, **values):
        """The wizard as the web client creates it from the lead(s)."""
        return (
            self.env["crm.lead.conversion"]
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create(values)
        )
