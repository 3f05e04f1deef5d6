from ast import literal_eval

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestConversion(LeadConversionCommon):
    def test_crm_entry_points(self):
        """crm's form button opens crm's wizard, which shows this addon's
        options; crm's mass conversion stays in the leads list's actions."""
        crm_action = self.env.ref("crm.action_crm_lead2opportunity_partner")
        form = etree.fromstring(
            self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [button] = form.xpath(f"//button[@name='{crm_action.id}']")
        self.assertEqual(button.get("invisible"), "type == 'opportunity' or not active")
        mass_view = self.env.ref("crm.view_crm_lead2opportunity_partner_mass")
        for model, view in (
            (crm_action.res_model, crm_action.view_id),
            (mass_view.model, mass_view),
        ):
            arch = etree.fromstring(
                self.env[model].get_views([(view.id, "form")])["views"]["form"]["arch"]
            )
            shown = {field.get("name") for field in arch.xpath("//field")}
            self.assertLessEqual(
                {
                    "action",
                    "partner_id",
                    "create_company",
                    "create_contact",
                    "duplicate_partner_ids",
                    "create_opportunity",
                    "override_qualification",
                    "qualification_warning",
                },
                shown,
                model,
            )
        bindings = self.env["ir.actions.actions"].get_bindings("crm.lead")["action"]
        bound = {binding["id"] for binding in bindings}
        self.assertIn(self.env.ref("crm.action_crm_send_mass_convert").id, bound)
        self.assertIn(self.env.ref("crm.action_merge_opportunities").id, bound)

    @users("lm_salesman")
    def test_create_company_and_contact(self):
        lead = self._lead().with_env(self.env)
        lead.message_post(body="Khách gọi hỏi giá.")
        wizard = self._wizard(lead)
        self.assertEqual(wizard.name, "convert")
        self.assertEqual(wizard.action, "create")
        self.assertTrue(wizard.create_company)
        self.assertTrue(wizard.create_contact)
        self.assertTrue(wizard.create_opportunity)
        self.assertFalse(wizard.duplicate_partner_ids)
        self.assertFalse(wizard.qualification_warning)
        self.assertEqual(wizard.user_id, self.user_salesman)
        self.assertEqual(wizard.team_id, self.team_north)
        action = wizard.action_apply()

        self.assertEqual(action["res_id"], lead.id)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.stage_id, self.stage_north)
        self.assertTrue(lead.date_conversion)
        self.assertEqual(lead.converted_by_id, self.user_salesman)
        contact = lead.partner_id
        company = contact.parent_id
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertFalse(contact.is_company)
        self.assertEqual(company.name, "Công ty TNHH Ánh Dương")
        self.assertTrue(company.is_company)
        self.assertEqual(
            company.read(["vat", "street", "city", "email", "phone", "website"])[0],
            {
                "id": company.id,
                "vat": "0101234567",
                "street": "12 Lý Thường Kiệt",
                "city": "Hà Nội",
                "email": "an.nguyen@anhduong.vn",
                "phone": "0912 345 678",
                "website": "https://anhduong.vn",
            },
        )
        self.assertEqual(
            [company.company_id, contact.company_id], [lead.company_id] * 2
        )
        self.assertEqual([company.user_id, contact.user_id], [self.user_salesman] * 2)
        self.assertEqual(lead.conversion_partner_ids, company | contact)

        # the chatter of the lead and of both customers, with links
        body = lead.message_ids[0].body
        self.assertIn("Converted into an opportunity by Lê Văn Bán", body)
        self.assertIn(f'data-oe-id="{company.id}"', body)
        self.assertIn(f'data-oe-id="{contact.id}"', body)
        self.assertIn("Company", body)
        self.assertIn("Contact", body)
        self.assertNotIn("overridden", body)
        for partner in company | contact:
            partner_body = partner.message_ids[0].body
            self.assertIn(f'data-oe-id="{lead.id}"', partner_body)
            self.assertIn("Created from the lead", partner_body)
        self.assertTrue(
            any(
                "Khách gọi hỏi giá." in body for body in lead.message_ids.mapped("body")
            )
        )

    @users("lm_salesman")
    def test_create_company_only(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, create_contact=False).action_apply()
        self.assertTrue(lead.partner_id.is_company)
        self.assertEqual(lead.partner_id.name, "Công ty TNHH Ánh Dương")
        self.assertFalse(lead.partner_id.child_ids)
        self.assertEqual(lead.conversion_partner_ids, lead.partner_id)

    @users("lm_salesman")
    def test_create_contact_only(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, create_company=False).action_apply()
        contact = lead.partner_id
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertFalse(contact.is_company)
        self.assertFalse(contact.parent_id)
        self.assertEqual(contact.email, "an.nguyen@anhduong.vn")
        self.assertEqual(lead.conversion_partner_ids, contact)

    @users("lm_salesman")
    def test_company_name_without_contact(self):
        """crm proposes no customer for a lead without contact name; with a
        company name, the company is created."""
        lead = self._lead(contact_name=False, email_from=False).with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.action, "create")
        wizard.action_apply()
        self.assertEqual(lead.partner_id.name, "Công ty TNHH Ánh Dương")
        self.assertTrue(lead.partner_id.is_company)

    @users("lm_salesman")
    def test_create_company_without_company_name_refused(self):
        lead = self._lead(partner_name=False).with_env(self.env)
        wizard = self._wizard(lead, action="create", create_contact=False)
        self.assertFalse(wizard.create_company)
        wizard.create_company = True
        with self.assertRaisesRegex(UserError, "no company name"):
            wizard.action_apply()
        self.assertEqual(lead.type, "lead")

    @users("lm_salesman")
    def test_link_company_with_new_contact(self):
        customer = self.env["res.partner"].create(
            {"name": "CÔNG TY TNHH ÁNH DƯƠNG", "is_company": True}
        )
        lead = self._lead(email_from="moi@anhduong.vn", phone=False, vat=False)
        lead = lead.with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.action, "exist")
        self.assertEqual(wizard.partner_id, customer)
        self.assertEqual(wizard.duplicate_partner_ids, customer)
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_apply()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count + 1)
        contact = lead.partner_id
        self.assertEqual(contact.parent_id, customer)
        self.assertEqual(contact.name, "Nguyễn Văn An")
        self.assertEqual(lead.conversion_partner_ids, customer | contact)
        body = lead.message_ids[0].body
        self.assertIn("Linked to the existing customer", body)
        self.assertIn(f'data-oe-id="{customer.id}"', body)
        self.assertIn("Linked to the lead", customer.message_ids[0].body)
        self.assertIn("Created from the lead", contact.message_ids[0].body)

    @users("lm_salesman")
    def test_link_company_reuses_its_contact(self):
        """Linking a lead whose email is already a contact of the company uses
        that contact."""
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
        wizard = self._wizard(lead, action="exist", partner_id=company.id)
        self.assertTrue(wizard.create_contact)
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_apply()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.partner_id, contact)
        self.assertEqual(lead.conversion_partner_ids, company | contact)

    @users("lm_salesman")
    def test_link_without_contact(self):
        customer = self.env["res.partner"].create(
            {"name": "Ánh Dương Group", "is_company": True}
        )
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(
            lead, action="exist", partner_id=customer.id, create_contact=False
        )
        partner_count = self.env["res.partner"].search_count([])
        wizard.action_apply()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.partner_id, customer)
        self.assertEqual(lead.conversion_partner_ids, customer)

    @users("lm_salesman")
    def test_nothing(self):
        lead = self._lead().with_env(self.env)
        partner_count = self.env["res.partner"].search_count([])
        self._wizard(lead, action="nothing").action_apply()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.type, "opportunity")
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.conversion_partner_ids)
        self.assertEqual(lead.converted_by_id, self.user_salesman)

    @users("lm_salesman")
    def test_customer_only(self):
        """Bitrix's "contact and/or company only": the lead stays a lead with the
        Customer status, linked to its customer, out of the open leads."""
        lead = self._lead().with_env(self.env)
        other = self._lead(email_from="other@example.com").with_env(self.env)
        action = self._wizard(lead, create_opportunity=False).action_apply()
        self.assertEqual(action["res_id"], lead.id)
        self.assertEqual(lead.type, "lead")
        self.assertEqual(lead.lead_status_id, self.status_customer)
        self.assertEqual(lead.partner_id.parent_id.name, "Công ty TNHH Ánh Dương")
        self.assertEqual(
            lead.conversion_partner_ids, lead.partner_id.parent_id | lead.partner_id
        )
        self.assertTrue(lead.date_conversion)
        self.assertEqual(lead.converted_by_id, self.user_salesman)
        self.assertTrue(lead.active)
        self.assertIn("stays a lead with the Customer status", lead.message_ids[0].body)
        # the Leads menu opens with the "Open" filter, which leaves it out
        leads_action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm.crm_lead_all_leads"
        )
        self.assertIn("'search_default_open_leads': 1", leads_action["context"])
        search_view = self.env.ref("crm.view_crm_case_leads_filter")
        views = self.env["crm.lead"].get_views([(search_view.id, "search")])
        arch = etree.fromstring(views["views"]["search"]["arch"])
        [open_filter] = arch.xpath("//filter[@name='open_leads']")
        domain = literal_eval(open_filter.get("domain"))
        self.assertEqual(
            self.env["crm.lead"].search(domain + [("id", "in", (lead | other).ids)]),
            other,
        )

    @users("lm_salesman")
    def test_customer_only_needs_a_customer(self):
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead, action="nothing", create_opportunity=False)
        with self.assertRaisesRegex(UserError, "Nothing to do"):
            wizard.action_apply()
        self.assertFalse(lead.date_conversion)

    @users("lm_salesman")
    def test_history_kept(self):
        lead = self._lead(
            tag_ids=[Command.create({"name": "Hội chợ 2026"})],
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
        kept = (
            "tag_ids",
            "campaign_id",
            "medium_id",
            "source_id",
            "territory_id",
            "lead_status_id",
            "bant_score",
            "is_qualified",
            "email_from",
            "phone",
        )
        before = {name: lead[name] for name in kept}
        self._wizard(lead).action_apply()
        self.assertEqual(lead.type, "opportunity")
        self.assertLess(messages, lead.message_ids, "no message lost")
        self.assertIn(activity, lead.activity_ids)
        self.assertEqual(
            self.env["ir.attachment"].search(
                [("res_model", "=", "crm.lead"), ("res_id", "=", lead.id)]
            ),
            attachment,
        )
        self.assertEqual({name: lead[name] for name in kept}, before)
        self.assertEqual(lead.bant_score, 4)

    @users("lm_all_leads")
    def test_salesperson_and_team(self):
        lead = self._lead(user_id=False, team_id=False).with_env(self.env)
        with Form(
            self.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
        ) as wizard:
            self.assertFalse(wizard.user_id)
            wizard.user_id = self.user_salesman_other
            self.assertEqual(wizard.team_id, self.team_south)
        wizard.record.action_apply()
        self.assertEqual(lead.sudo().user_id, self.user_salesman_other)
        self.assertEqual(lead.sudo().team_id, self.team_south)

    @users("lm_all_leads")
    def test_merge_with_existing_opportunity(self):
        """crm's merge (name='merge') still merges the lead into the existing
        opportunity of the same customer."""
        opportunity = self._lead(
            name="Cơ hội cũ", type="opportunity", user_id=self.user_salesman.id
        ).with_env(self.env)
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.name, "merge")
        self.assertEqual(wizard.duplicated_lead_ids, lead | opportunity)
        result = wizard.action_apply()
        self.assertEqual(result["res_id"], opportunity.id)
        self.assertFalse(lead.exists())
        self.assertEqual(opportunity.type, "opportunity")
        self.assertEqual(opportunity.user_id, self.user_salesman)
