from odoo.tests import tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestReturning(LeadManagementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known = cls.env["res.partner"].create(
            {
                "name": "Công ty Cũ",
                "email": "Contact <Lien.He@CongTyCu.vn>",
                "phone": "+84 912 345 678",
                "country_id": cls.vn.id,
            }
        )
        cls.known_mobile = cls.env["res.partner"].create(
            {"name": "Anh Di Động", "mobile": "0987 654 321", "country_id": cls.vn.id}
        )
        # both contacts existed well before the leads of the tests
        cls.env.flush_all()
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '10 days' "
            "WHERE id IN %s",
            [tuple((cls.known | cls.known_mobile).ids)],
        )
        cls.env.invalidate_all()

    def test_partner_phone_normalized(self):
        self.assertEqual(self.known.phone_normalized, "+84912345678")
        self.assertEqual(self.known_mobile.mobile_normalized, "+84987654321")

    def test_new_lead(self):
        lead = self.env["crm.lead"].create(
            {"name": "Mới", "email_from": "new@example.vn", "phone": "0911 111 111"}
        )
        self.assertFalse(lead.is_returning)

    def test_returning_by_email(self):
        lead = self.env["crm.lead"].create(
            {"name": "Email", "email_from": "lien.he@congtycu.vn"}
        )
        self.assertTrue(lead.is_returning)

    def test_returning_by_phone_both_forms(self):
        local = self.env["crm.lead"].create(
            {"name": "Phone 0", "phone": "0912345678", "country_id": self.vn.id}
        )
        intl = self.env["crm.lead"].create(
            {"name": "Phone +84", "phone": "+84 912 345 678"}
        )
        mobile = self.env["crm.lead"].create(
            {"name": "Mobile", "phone": "+84987654321"}
        )
        self.assertTrue(local.is_returning)
        self.assertTrue(intl.is_returning)
        self.assertTrue(mobile.is_returning)

    def test_returning_by_partner_with_leads(self):
        partner = self.env["res.partner"].create({"name": "Fresh"})
        first = self.env["crm.lead"].create({"name": "First", "partner_id": partner.id})
        self.assertFalse(first.is_returning, "partner created with the lead")
        second = self.env["crm.lead"].create(
            {"name": "Second", "partner_id": partner.id}
        )
        self.assertTrue(second.is_returning, "the partner already has a lead")

    def test_partner_created_after_lead_not_returning(self):
        lead = self.env["crm.lead"].create(
            {"name": "Converted later", "email_from": "later@example.vn"}
        )
        partner = self.env["res.partner"].create(
            {"name": "Later", "email": "later@example.vn"}
        )
        lead.partner_id = partner
        self.assertFalse(lead.is_returning)

    def test_filters(self):
        new = self.env["crm.lead"].create({"name": "N", "email_from": "n@x.vn"})
        ret = self.env["crm.lead"].create(
            {"name": "R", "email_from": "lien.he@congtycu.vn"}
        )
        returning = self.env["crm.lead"].search([("is_returning", "=", True)])
        self.assertIn(ret, returning)
        self.assertNotIn(new, returning)
