from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestQualification(LeadConversionCommon):
    """The qualification gate: a company setting, on by default."""

    def test_setting(self):
        company = self.env["res.company"].create({"name": "Công ty mới"})
        self.assertTrue(company.conversion_requires_qualification)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.conversion_requires_qualification)
        arch = settings.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="conversion_requires_qualification"', arch)
        settings.conversion_requires_qualification = False
        settings.execute()
        self.assertFalse(self.env.company.conversion_requires_qualification)

    @users("lm_salesman")
    def test_unqualified_refused_naming_criteria(self):
        lead = self._lead(
            bant_budget="yes", bant_authority="influencer", bant_need="unknown"
        ).with_env(self.env)
        self.assertFalse(lead.is_qualified)
        self.assertEqual(
            lead._get_bant_missing_criteria(),
            [
                "decision maker not reached",
                "need not identified",
                "no purchase timeline within a year",
            ],
        )
        wizard = self._wizard(lead)
        self.assertIn("decision maker not reached", wizard.qualification_warning)
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError) as error:
            wizard.action_apply()
        message = str(error.exception)
        self.assertIn("Only qualified leads can be converted", message)
        self.assertIn("Cơ hội phần mềm: BANT score 1/4, 3 needed", message)
        self.assertIn(
            "decision maker not reached, need not identified, "
            "no purchase timeline within a year",
            message,
        )
        self.assertNotIn("budget not confirmed", message)
        self.assertEqual(lead.type, "lead")
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.converted_by_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)

    @users("lm_salesman")
    def test_gate_off_converts_as_crm(self):
        self.company.sudo().conversion_requires_qualification = False
        lead = self._lead(bant_need="none", bant_budget="no").with_env(self.env)
        wizard = self._wizard(lead)
        self.assertFalse(wizard.qualification_warning)
        wizard.action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertNotIn("overridden", lead.message_ids[0].body)

    def test_gate_follows_the_lead_company(self):
        self.company_2.conversion_requires_qualification = False
        unqualified = {"bant_need": "none", "team_id": False, "user_id": False}
        lead_2 = self._lead(company_id=self.company_2.id, **unqualified)
        self._wizard(lead_2).action_apply()
        self.assertEqual(lead_2.type, "opportunity")
        lead_1 = self._lead(
            company_id=self.company.id, email_from="khac@vn.vn", **unqualified
        )
        with self.assertRaisesRegex(UserError, "Only qualified leads"):
            self._wizard(lead_1).action_apply()

    @users("lm_salesman")
    def test_salesman_cannot_override(self):
        lead = self._lead(bant_need="none").with_env(self.env)
        wizard = self._wizard(lead, override_qualification=True)
        with self.assertRaisesRegex(AccessError, "Only Sales Administrators"):
            wizard.action_apply()
        self.assertEqual(lead.type, "lead")

    @users("lm_manager")
    def test_manager_override_written_in_chatter(self):
        lead = self._lead(bant_need="none").with_env(self.env)
        self._wizard(lead, override_qualification=True).action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.user_manager)
        body = lead.message_ids[0].body
        self.assertIn("Qualification overridden by Hoàng Quản Trị", body)
        self.assertIn("need not identified", body)

    @users("lm_manager")
    def test_override_not_logged_for_qualified_leads(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, override_qualification=True).action_apply()
        self.assertNotIn("overridden", lead.message_ids[0].body)

    @users("lm_salesman")
    def test_opportunities_and_lost_leads_pass_the_gate(self):
        """The gate only stops leads that would be converted: crm skips lost
        leads and keeps opportunities as they are."""
        opportunity = self._lead(
            type="opportunity", bant_need="none", email_from="co@hoi.vn"
        )
        lost = self._lead(bant_need="none", email_from="mat@vn.vn", active=False)
        fresh = self._lead(email_from="moi@vn.vn", phone=False)
        leads = (opportunity | lost | fresh).with_env(self.env)
        self._wizard(leads, deduplicate=False).action_mass_convert()
        self.assertEqual(fresh.type, "opportunity")
        self.assertEqual(lost.type, "lead")
        self.assertFalse(lost.date_conversion)

    @users("lm_salesman")
    def test_mass_all_or_nothing(self):
        good = self._lead(partner_name="Tốt", email_from="tot@vn.vn", phone=False)
        bad = self._lead(
            name="Khách chưa rõ",
            partner_name="Chưa rõ",
            email_from="chuaro@vn.vn",
            phone=False,
            bant_budget="unknown",
        )
        duplicate = self._lead(
            name="Khách tốt lần hai", partner_name="Tốt", email_from="tot@vn.vn"
        )
        leads = (good | bad).with_env(self.env)
        wizard = self._wizard(leads, deduplicate=True)
        self.assertEqual(wizard.duplicated_lead_ids, good)
        self.assertIn("Khách chưa rõ", wizard.qualification_warning)
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError) as error:
            wizard.action_mass_convert()
        self.assertIn("Khách chưa rõ", str(error.exception))
        self.assertIn("budget not confirmed", str(error.exception))
        self.assertTrue(duplicate.exists(), "no merge either")
        self.assertEqual(set(leads.mapped("type")), {"lead"})
        self.assertFalse(leads.partner_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
