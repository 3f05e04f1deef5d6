from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestConversion(LeadConversionCommon):
    @users("lc_salesman")
    def test_create_company_and_contact(self):
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.customer_action, "create")
        self.assertTrue(wizard.create_company)
        self.assertTrue(wizard.create_contact)
        self.assertTrue(wizard.create_opportunity)
        self.assertEqual(wizard.user_id, self.user_salesman)
        self.assertEqual(wizard.team_id, self.team)
        action = wizard.action_convert()

        self.assertEqual(action["res_id"], lead.id)
        self.assertEqual(lead.type, "opportunity")
        self.assertTrue(lead.date_conversion)
        self.assertEqual(lead.converted_by_id, self.user_salesman)
        contact = lead.partner_id
        company = contact.parent_id
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertFalse(contact.is_company)
        self.assertEqual(company.name, "Công ty TNHH Ánh Dương")
        self.assertTrue(company.is_company)
        self.assertEqual(company.vat, "0101234567")
        self.assertEqual(company.street, "12 Lý Thường Kiệt")
        self.assertEqual(company.city, "Hà Nội")
        self.assertEqual(company.email, "an.nguyen@anhduong.vn")
        self.assertEqual(company.phone, "0912 345 678")
        self.assertEqual(company.website, "https://anhduong.vn")
        self.assertEqual(company.country_id, self.env.ref("base.vn"))
        self.assertEqual((company | contact).company_id, lead.company_id)
        self.assertEqual(lead.conversion_partner_ids, company | contact)
        self.assertEqual(lead.stage_id, self.stage_first)

        # chatter on the lead and on both customers, with links
        message = lead.message_ids[0]
        self.assertIn("Converted into an opportunity by Trần Văn Bán", message.body)
        self.assertIn(f'data-oe-id="{company.id}"', message.body)
        self.assertIn(f'data-oe-id="{contact.id}"', message.body)
        self.assertIn("Company", message.body)
        for partner in company | contact:
            self.assertIn(
                f'data-oe-id="{lead.id}"', partner.message_ids[0].body, partner.name
            )
            self.assertIn("Created from the lead", partner.message_ids[0].body)

    @users("lc_salesman")
    def test_create_company_only(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, create_contact=False).action_convert()
        self.assertTrue(lead.partner_id.is_company)
        self.assertEqual(lead.partner_id.name, "Công ty TNHH Ánh Dương")
        self.assertFalse(lead.partner_id.child_ids)
        self.assertEqual(lead.conversion_partner_ids, lead.partner_id)

    @users("lc_salesman")
    def test_create_contact_only(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, create_company=False).action_convert()
        contact = lead.partner_id
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertFalse(contact.is_company)
        self.assertFalse(contact.parent_id)
        self.assertEqual(contact.email, "an.nguyen@anhduong.vn")
        self.assertEqual(lead.conversion_partner_ids, contact)

    @users("lc_salesman")
    def test_create_defaults_without_company_name(self):
        lead = self._lead(partner_name=False, contact_name=False).with_env(self.env)
        wizard = self._wizard(lead)
        self.assertFalse(wizard.create_company)
        self.assertTrue(wizard.create_contact, "the lead has an email")
        wizard.action_convert()
        self.assertEqual(lead.partner_id.email, "an.nguyen@anhduong.vn")
        self.assertFalse(lead.partner_id.is_company)

    @users("lc_salesman")
    def test_create_company_without_company_name_refused(self):
        lead = self._lead(partner_name=False).with_env(self.env)
        wizard = self._wizard(lead, create_company=True, create_contact=False)
        with self.assertRaisesRegex(UserError, "no company name"):
            wizard.action_convert()
        self.assertEqual(lead.type, "lead")

    @users("lc_salesman")
    def test_link_existing_with_new_contact(self):
        customer = self.env["res.partner"].create(
            {"name": "CÔNG TY TNHH ÁNH DƯƠNG", "is_company": True}
        )
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.customer_action, "link")
        self.assertEqual(wizard.partner_id, customer)
        self.assertEqual(wizard.duplicate_partner_ids, customer)
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_convert()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count + 1)
        contact = lead.partner_id
        self.assertEqual(contact.parent_id, customer)
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertEqual(lead.conversion_partner_ids, customer | contact)
        body = lead.message_ids[0].body
        self.assertIn("Linked to the existing customer", body)
        self.assertIn(f'data-oe-id="{customer.id}"', body)
        self.assertIn("Linked to the lead", customer.message_ids[0].body)

    @users("lc_salesman")
    def test_link_existing_without_contact(self):
        customer = self.env["res.partner"].create(
            {"name": "Ánh Dương Group", "is_company": True}
        )
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(
            lead, customer_action="link", partner_id=customer.id, create_contact=False
        )
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_convert()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.partner_id, customer)
        self.assertEqual(lead.conversion_partner_ids, customer)

    @users("lc_salesman")
    def test_link_reuses_existing_contact(self):
        """Linking a lead whose email is already a contact of the company does
        not create a second contact."""
        company = self.env["res.partner"].create(
            {"name": "Công ty TNHH Ánh Dương", "is_company": True}
        )
        contact = self.env["res.partner"].create(
            {
                "name": "Anh An",
                "email": "AN.NGUYEN@anhduong.vn",
                "parent_id": company.id,
            }
        )
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead, partner_id=company.id)
        self.assertEqual(wizard.customer_action, "link")
        self.assertTrue(wizard.create_contact)
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_convert()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.partner_id, contact)
        self.assertEqual(lead.conversion_partner_ids, company | contact)

    @users("lc_salesman")
    def test_nothing(self):
        lead = self._lead().with_env(self.env)
        partner_count = self.env["res.partner"].search_count([])
        self._wizard(lead, customer_action="nothing").action_convert()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.type, "opportunity")
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.conversion_partner_ids)
        self.assertEqual(lead.converted_by_id, self.user_salesman)

    @users("lc_salesman")
    def test_nothing_without_opportunity_refused(self):
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead, customer_action="nothing", create_opportunity=False)
        with self.assertRaisesRegex(UserError, "Nothing to do"):
            wizard.action_convert()

    @users("lc_salesman")
    def test_no_opportunity(self):
        """Bitrix's "contact and/or company only": the lead stays a lead with
        the Customer status, linked to its customer, out of the open leads."""
        lead = self._lead().with_env(self.env)
        action = self._wizard(lead, create_opportunity=False).action_convert()
        self.assertEqual(action["res_id"], lead.id)
        self.assertEqual(lead.type, "lead")
        self.assertEqual(lead.lead_status_id, self.status_customer)
        self.assertTrue(lead.partner_id)
        self.assertEqual(lead.partner_id.parent_id.name, "Công ty TNHH Ánh Dương")
        self.assertTrue(lead.date_conversion)
        self.assertEqual(lead.converted_by_id, self.user_salesman)
        self.assertTrue(lead.active)
        self.assertIn("stays a lead", lead.message_ids[0].body)
        # the Leads menu opens with the "Open" filter, which leaves it out
        leads_action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm.crm_lead_all_leads"
        )
        self.assertIn("'search_default_open_leads': 1", leads_action["context"])
        search_view = self.env.ref("crm.view_crm_case_leads_filter")
        arch = self.env["crm.lead"].get_views([(search_view.id, "search")])["views"][
            "search"
        ]["arch"]
        self.assertIn('name="open_leads"', arch)
        other = self._lead(email_from="other@example.com").with_env(self.env)
        open_leads = self.env["crm.lead"].search(
            [("date_conversion", "=", False), ("id", "in", (lead | other).ids)]
        )
        self.assertEqual(open_leads, other)
        # converting it again is refused
        with self.assertRaisesRegex(UserError, "already converted"):
            self._wizard(lead).action_convert()

    @users("lc_salesman")
    def test_history_kept(self):
        lead = self._lead(
            tag_ids=[
                fields.Command.create({"name": "Hội chợ 2026"}),
            ],
            campaign_id=self.env.ref("utm.utm_campaign_email_campaign_services").id,
            medium_id=self.env.ref("utm.utm_medium_email").id,
            source_id=self.env.ref("utm.utm_source_newsletter").id,
            bant_timeline="quarter",
        ).with_env(self.env)
        lead.message_post(body="Gọi điện lần đầu, khách quan tâm.")
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call", summary="Gọi lại báo giá"
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": "bao-gia.txt",
                "raw": b"bao gia",
                "res_model": "crm.lead",
                "res_id": lead.id,
            }
        )
        messages = lead.message_ids
        before = {
            name: lead[name]
            for name in (
                "tag_ids",
                "campaign_id",
                "medium_id",
                "source_id",
                "territory_id",
                "bant_score",
                "is_qualified",
                "bant_budget",
                "email_from",
                "phone",
                "description",
            )
        }
        self._wizard(lead).action_convert()
        self.assertEqual(lead.type, "opportunity")
        self.assertTrue(messages <= lead.message_ids, "no message lost")
        self.assertIn(activity, lead.activity_ids)
        self.assertEqual(
            self.env["ir.attachment"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
            ),
            attachment,
        )
        for name, value in before.items():
            self.assertEqual(lead[name], value, name)
        self.assertEqual(lead.bant_score, 4)

    @users("lc_salesman")
    def test_salesperson_and_team_from_wizard(self):
        lead = self._lead(user_id=False, team_id=False).with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.user_id, self.user_salesman, "defaults to me")
        wizard.user_id = self.user_salesman_2
        wizard.team_id = self.team
        wizard.action_convert()
        self.assertEqual(lead.user_id, self.user_salesman_2)
        self.assertEqual(lead.team_id, self.team)

    @users("lc_salesman")
    def test_reconversion_refused(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead).action_convert()
        with self.assertRaisesRegex(UserError, "already an opportunity"):
            self._wizard(lead).action_convert()
        opportunity = self._lead(type="opportunity", email_from="o@example.com")
        with self.assertRaisesRegex(UserError, "already an opportunity"):
            self._wizard(opportunity.with_env(self.env)).action_convert()

    @users("lc_salesman")
    def test_lost_lead_refused(self):
        lead = self._lead().with_env(self.env)
        lead.action_archive()
        with self.assertRaisesRegex(UserError, "is lost"):
            self._wizard(lead).action_convert()

    def test_crm_entry_points_lead_here(self):
        """The lead form's convert buttons and the list action open this wizard;
        crm's own mass conversion is no longer offered, the merge stays."""
        wizard_action = self.env.ref("lead_conversion.crm_lead_conversion_action")
        crm_action = self.env.ref("crm.action_crm_lead2opportunity_partner")
        arch = etree.fromstring(
            self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertEqual(len(arch.xpath(f"//button[@name='{wizard_action.id}']")), 2)
        for button in arch.xpath(f"//button[@name='{crm_action.id}']"):
            self.assertEqual(button.get("invisible"), "True")
        bindings = self.env["ir.actions.actions"].get_bindings("crm.lead")["action"]
        bound = {binding["id"] for binding in bindings}
        self.assertIn(
            self.env.ref("lead_conversion.crm_lead_conversion_action_mass").id, bound
        )
        self.assertNotIn(self.env.ref("crm.action_crm_send_mass_convert").id, bound)
        self.assertIn(self.env.ref("crm.action_merge_opportunities").id, bound)
