from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestMassConversion(LeadConversionCommon):
    """crm's mass conversion (the leads list's action) with this addon's
    options, keeping crm's deduplication and round-robin."""

    def _leads(self, count, **values):
        return self.env["crm.lead"].concat(
            *(
                self._lead(
                    **{
                        "name": f"Lead {index}",
                        "partner_name": f"Công ty {index}",
                        "contact_name": f"Người {index}",
                        "email_from": f"nguoi{index}@congty.vn",
                        "phone": f"0914 000 {index:03d}",
                        "vat": False,
                        **values,
                    }
                )
                for index in range(count)
            )
        )

    @users("lm_salesman")
    def test_mass_create_round_robin(self):
        leads = self._leads(4, user_id=False).with_env(self.env)
        salespersons = self.user_salesman | self.user_salesman_other
        wizard = self._wizard(leads, user_ids=salespersons.ids)
        self.assertEqual(wizard.action, "each_exist_or_create")
        self.assertTrue(wizard.create_company)
        self.assertTrue(wizard.create_contact)
        self.assertFalse(wizard.duplicate_partner_ids)
        action = wizard.action_mass_convert()
        self.assertEqual(action["res_id"], leads[0].id)
        leads = leads.sudo()  # half of them now belong to the other salesperson
        self.assertEqual(set(leads.mapped("type")), {"opportunity"})
        for index, lead in enumerate(leads):
            self.assertEqual(lead.partner_id.name, f"Người {index}")
            self.assertEqual(lead.partner_id.parent_id.name, f"Công ty {index}")
            self.assertEqual(len(lead.conversion_partner_ids), 2)
            self.assertEqual(lead.converted_by_id, self.user_salesman)
        self.assertEqual(
            [lead.user_id for lead in leads],
            [self.user_salesman, self.user_salesman_other] * 2,
        )

    @users("lm_salesman")
    def test_mass_links_each_to_its_match(self):
        """The default of crm's mass conversion: each lead's existing customer,
        found here by email, phone or tax ID, else a new one."""
        Partner = self.env["res.partner"]
        by_email = Partner.create({"name": "Khách 0", "email": "nguoi0@congty.vn"})
        by_phone = Partner.create({"name": "Khách 1", "mobile": "+84914000001"})
        by_vat = Partner.create(
            {"name": "Công ty hai", "is_company": True, "vat": "0302222222"}
        )
        leads = self._leads(4)
        leads[2].vat = "0302-222-222"
        leads = leads.with_env(self.env)
        wizard = self._wizard(leads)
        self.assertEqual(wizard.duplicate_partner_ids, by_vat | by_email | by_phone)
        partner_count = Partner.search_count([])
        wizard.action_mass_convert()
        self.assertEqual(
            [lead.partner_id for lead in leads[:3]], [by_email, by_phone, by_vat]
        )
        self.assertEqual(leads[3].partner_id.parent_id.name, "Công ty 3")
        self.assertEqual(Partner.search_count([]), partner_count + 2)
        self.assertEqual(leads[0].conversion_partner_ids, by_email)

    @users("lm_salesman")
    def test_mass_same_email_one_customer(self):
        leads = self._leads(2, email_from="chung@congty.vn").with_env(self.env)
        self._wizard(leads, deduplicate=False).action_mass_convert()
        self.assertEqual(leads[0].partner_id, leads[1].partner_id)
        self.assertEqual(leads[0].partner_id.name, "Người 0")

    @users("lm_salesman")
    def test_mass_deduplicate(self):
        """crm's deduplication merges the leads of the same customer first."""
        leads = self._leads(2).with_env(self.env)
        duplicate = self._lead(
            name="Lead 0 (lần hai)", email_from="nguoi0@congty.vn", phone=False
        ).with_env(self.env)
        wizard = self._wizard(leads)
        self.assertTrue(wizard.deduplicate)
        self.assertEqual(wizard.duplicated_lead_ids, leads[0])
        wizard.action_mass_convert()
        remaining = (leads | duplicate).exists()
        self.assertEqual(len(remaining), 2)
        self.assertEqual(set(remaining.mapped("type")), {"opportunity"})
        self.assertEqual(len(remaining.partner_id), 2)

    @users("lm_salesman")
    def test_mass_link_one_customer(self):
        customer = self.env["res.partner"].create(
            {"name": "Tập đoàn Chung", "is_company": True}
        )
        leads = self._leads(3).with_env(self.env)
        self._wizard(
            leads, action="exist", partner_id=customer.id, deduplicate=False
        ).action_mass_convert()
        self.assertEqual([lead.partner_id.parent_id for lead in leads], [customer] * 3)
        self.assertEqual(
            leads.mapped("partner_id.name"), ["Người 0", "Người 1", "Người 2"]
        )

    @users("lm_salesman")
    def test_mass_customers_only(self):
        leads = self._leads(2).with_env(self.env)
        self._wizard(leads, create_opportunity=False).action_mass_convert()
        self.assertEqual(set(leads.mapped("type")), {"lead"})
        self.assertEqual(leads.lead_status_id, self.status_customer)
        self.assertEqual(len(leads.partner_id), 2)

    @users("lm_salesman")
    def test_mass_all_or_nothing_problem(self):
        """One lead that cannot get its customer refuses the batch."""
        leads = self._leads(2)
        leads[1].write({"partner_name": False, "name": "Không tên công ty"})
        leads = leads.with_env(self.env)
        wizard = self._wizard(leads, create_contact=False, deduplicate=False)
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(UserError, "Không tên công ty has no company name"):
            wizard.action_mass_convert()
        self.assertEqual(set(leads.mapped("type")), {"lead"})
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
