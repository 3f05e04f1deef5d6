from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestAccess(LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_all_leads = mail_new_test_user(
            cls.env,
            login="lc_all_leads",
            name="Đỗ Văn Tất",
            groups="sales_team.group_sale_salesman_all_leads,"
            "base.group_partner_manager,crm.group_use_lead",
        )
        cls.user_employee = mail_new_test_user(
            cls.env,
            login="lc_employee",
            name="Hoàng Nhân Viên",
            groups="base.group_user",
        )
        cls.user_manager_mc = mail_new_test_user(
            cls.env,
            login="lc_manager_mc",
            name="Quản Lý Hai Công Ty",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_2).ids)],
            groups="sales_team.group_sale_manager,base.group_partner_manager,"
            "crm.group_use_lead",
        )
        cls.lead_of_salesman_2 = cls._lead(
            name="Lead của Hàng", user_id=cls.user_salesman_2.id
        )

    @users("lc_salesman")
    def test_salesman_cannot_convert_others_lead(self):
        lead = self.lead_of_salesman_2.with_env(self.env)
        with self.assertRaises(AccessError):
            self._wizard(lead).action_convert()
        self.assertEqual(self.lead_of_salesman_2.type, "lead")

    @users("lc_all_leads")
    def test_all_documents_converts_others_lead(self):
        lead = self.lead_of_salesman_2.with_env(self.env)
        self._wizard(lead).action_convert()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.user_all_leads)

    @users("lc_salesman")
    def test_partners_created_with_the_users_rights(self):
        """Customers are created as the converting user (crm lets salespersons
        create contacts), never as superuser."""
        lead = self._lead().with_env(self.env)
        self._wizard(lead).action_convert()
        self.assertEqual(
            lead.conversion_partner_ids.mapped("create_uid"), self.user_salesman
        )

    @users("lc_employee")
    def test_employee_without_sales_rights(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead.conversion"].create({})

    @users("lc_manager_mc")
    def test_multi_company(self):
        """The customer and the opportunity belong to the lead's company; a
        partner of another company is no candidate."""
        self.env["res.partner"].sudo().create(
            {
                "name": "Khách công ty chính",
                "email": "an.nguyen@anhduong.vn",
                "company_id": self.company.id,
            }
        )
        lead = self._lead(
            company_id=self.company_2.id, user_id=self.user_manager_mc.id, team_id=False
        ).with_env(self.env)
        wizard = self._wizard(lead)
        self.assertFalse(wizard.duplicate_partner_ids)
        self.assertEqual(wizard.customer_action, "create")
        wizard.action_convert()
        self.assertEqual(lead.company_id, self.company_2)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.conversion_partner_ids.company_id, self.company_2)
        self.assertEqual(len(lead.conversion_partner_ids), 2)
