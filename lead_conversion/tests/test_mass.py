from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestQualificationAndMass(LeadConversionCommon):
    @users("lc_salesman")
    def test_unqualified_refused_naming_criteria(self):
        lead = self._lead(
            bant_budget="yes", bant_authority="influencer", bant_need="unknown"
        ).with_env(self.env)
        self.assertFalse(lead.is_qualified)
        wizard = self._wizard(lead)
        self.assertIn("decision maker not reached", wizard.qualification_warning)
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError) as error:
            wizard.action_convert()
        message = str(error.exception)
        self.assertIn("Only qualified leads can be converted", message)
        self.assertIn("BANT score 1/4, 3 needed", message)
        self.assertIn("decision maker not reached", message)
        self.assertIn("need not identified", message)
        self.assertIn("no purchase timeline within a year", message)
        self.assertNotIn("budget not confirmed", message)
        self.assertEqual(lead.type, "lead")
        self.assertFalse(lead.partner_id)
        self.assertFalse(lead.converted_by_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)

    @users("lc_salesman")
    def test_salesman_cannot_override(self):
        lead = self._lead(bant_need="none").with_env(self.env)
        wizard = self._wizard(lead, override_qualification=True)
        with self.assertRaisesRegex(AccessError, "Only Sales Administrators"):
            wizard.action_convert()
        self.assertEqual(lead.type, "lead")

    @users("lc_manager")
    def test_manager_override_written_in_chatter(self):
        lead = self._lead(bant_need="none").with_env(self.env)
        self._wizard(lead, override_qualification=True).action_convert()
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, self.user_manager)
        body = lead.message_ids[0].body
        self.assertIn("Qualification overridden by Nguyễn Thị Quản", body)
        self.assertIn("need not identified", body)

    @users("lc_manager")
    def test_override_not_logged_for_qualified_leads(self):
        lead = self._lead().with_env(self.env)
        self._wizard(lead, override_qualification=True).action_convert()
        self.assertNotIn("overridden", lead.message_ids[0].body)

    @users("lc_salesman")
    def test_mass_create(self):
        leads = self.env["crm.lead"]
        for index in range(4):
            leads |= self._lead(
                partner_name=f"Công ty {index}",
                contact_name=f"Người {index}",
                email_from=f"nguoi{index}@congty.vn",
                phone=f"0914 000 {index:03d}",
                vat=False,
            )
        leads = leads.with_env(self.env)
        wizard = self._wizard(
            leads, user_ids=(self.user_salesman | self.user_salesman_2).ids
        )
        self.assertEqual(wizard.lead_count, 4)
        self.assertEqual(wizard.customer_action, "create")
        action = wizard.action_convert()
        self.assertEqual(action["domain"], [("id", "in", leads.ids)])
        # half of them now belong to the other salesperson
        leads = leads.sudo()
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})
        for index, lead in enumerate(leads):
            self.assertEqual(lead.partner_id.name, f"Người {index}")
            self.assertEqual(lead.partner_id.parent_id.name, f"Công ty {index}")
            self.assertEqual(len(lead.conversion_partner_ids), 2)
        # round-robin among the chosen salespersons (crm's assignment)
        self.assertEqual(
            leads.mapped("user_id").ids,
            [self.user_salesman.id, self.user_salesman_2.id],
        )
        self.assertEqual(
            [lead.user_id for lead in leads],
            [self.user_salesman, self.user_salesman_2] * 2,
        )

    @users("lc_salesman")
    def test_mass_link_each_to_its_match(self):
        Partner = self.env["res.partner"]
        customers = Partner.create(
            [
                {"name": f"Khách {index}", "email": f"khach{index}@congty.vn"}
                for index in range(3)
            ]
        )
        leads = self.env["crm.lead"]
        for index in range(3):
            leads |= self._lead(
                partner_name=False,
                contact_name=False,
                email_from=f"khach{index}@congty.vn",
                phone=False,
                vat=False,
            )
        leads = leads.with_env(self.env)
        wizard = self._wizard(leads)
        self.assertEqual(wizard.customer_action, "link")
        self.assertFalse(wizard.partner_id)
        self.assertEqual(set(wizard.duplicate_partner_ids.ids), set(customers.ids))
        wizard.action_convert()
        self.assertEqual([lead.partner_id for lead in leads], list(customers))

    @users("lc_salesman")
    def test_mass_all_or_nothing_unqualified(self):
        good = self._lead(partner_name="Tốt", email_from="tot@vn.vn")
        bad = self._lead(
            name="Khách chưa rõ",
            partner_name="Chưa rõ",
            email_from="chuaro@vn.vn",
            bant_budget="unknown",
        )
        leads = (good | bad).with_env(self.env)
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaises(UserError) as error:
            self._wizard(leads).action_convert()
        self.assertIn("Khách chưa rõ", str(error.exception))
        self.assertIn("budget not confirmed", str(error.exception))
        self.assertEqual(set(leads.mapped("type")), {"lead"})
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)

    @users("lc_salesman")
    def test_mass_all_or_nothing_already_converted(self):
        done = self._lead(name="Đã chuyển", partner_name="A", email_from="a@vn.vn")
        self._wizard(done.with_env(self.env)).action_convert()
        fresh = self._lead(name="Mới", partner_name="B", email_from="b@vn.vn")
        leads = (done | fresh).with_env(self.env)
        with self.assertRaisesRegex(UserError, "Đã chuyển is already an opportunity"):
            self._wizard(leads).action_convert()
        self.assertEqual(fresh.type, "lead")
        self.assertFalse(fresh.partner_id)

    @users("lc_salesman")
    def test_mass_link_without_match_refused(self):
        matched = self._lead(partner_name=False, email_from="co@vn.vn", vat=False)
        self.env["res.partner"].create({"name": "Có", "email": "co@vn.vn"})
        unmatched = self._lead(
            name="Không khớp",
            partner_name=False,
            email_from="khong@vn.vn",
            phone=False,
            vat=False,
        )
        leads = (matched | unmatched).with_env(self.env)
        wizard = self._wizard(leads, customer_action="link")
        with self.assertRaisesRegex(UserError, "no existing customer matches Không"):
            wizard.action_convert()
        self.assertEqual(set(leads.mapped("type")), {"lead"})
