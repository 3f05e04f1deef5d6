from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestAccess(LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_of_other = cls._lead(
            name="Lead của Khác",
            user_id=cls.user_salesman_other.id,
            team_id=cls.team_south.id,
        )

    @users("lm_salesman")
    def test_salesman_cannot_convert_others_lead(self):
        lead = self.lead_of_other.with_env(self.env)
        with self.assertRaises(AccessError):
            self._wizard(lead).action_apply()
        self.assertEqual(self.lead_of_other.type, "lead")

    @users("lm_all_leads")
    def test_all_documents_converts_others_lead(self):
        lead = self.lead_of_other.with_env(self.env)
        self._wizard(lead).action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.user_all_leads)

    @users("lm_salesman")
    def test_customers_created_with_the_users_rights(self):
        """Customers are created as the converting user (crm lets salespersons
        create contacts), never as superuser."""
        lead = self._lead().with_env(self.env)
        self._wizard(lead).action_apply()
        self.assertEqual(
            lead.conversion_partner_ids.mapped("create_uid"), self.user_salesman
        )

    @users("lc_employee")
    def test_employee_without_sales_rights(self):
        with self.assertRaises(AccessError):
            self.env["crm.lead2opportunity.partner"].create({})

    def test_multi_company(self):
        """The customer and the opportunity belong to the lead's company; a
        customer of another company is no candidate."""
        self.env["res.partner"].create(
            {
                "name": "Khách công ty chính",
                "email": "chi.nhanh@anhduong.vn",
                "company_id": self.company.id,
            }
        )
        lead = self._lead(
            company_id=self.company_2.id,
            team_id=False,
            user_id=False,
            email_from="chi.nhanh@anhduong.vn",
        )
        wizard = self._wizard(lead)
        self.assertFalse(wizard.duplicate_partner_ids)
        self.assertEqual(wizard.action, "create")
        wizard.action_apply()
        self.assertEqual(lead.company_id, self.company_2)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(
            [partner.company_id for partner in lead.conversion_partner_ids],
            [self.company_2] * 2,
        )
