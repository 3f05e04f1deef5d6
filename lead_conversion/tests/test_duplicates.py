from odoo.tests import Form, tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestDuplicates(LeadConversionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.by_email = Partner.create(
            {"name": "Anh An (email)", "email": '"An" <AN.Nguyen@AnhDuong.vn>'}
        )
        cls.by_phone_intl = Partner.create(
            {"name": "Anh An (phone)", "phone": "+84 912 345 678"}
        )
        cls.by_mobile_local = Partner.create(
            {"name": "Anh An (mobile)", "mobile": "0912.345.678"}
        )
        cls.by_vat = Partner.create(
            {"name": "Ánh Dương JSC", "is_company": True, "vat": "0101-234-567"}
        )
        cls.by_name = Partner.create(
            {"name": "CONG TY  TNHH ANH DUONG", "is_company": True}
        )
        cls.unrelated = Partner.create(
            {
                "name": "Công ty TNHH Ánh Dương Mới",
                "is_company": True,
                "email": "contact@other.vn",
                "phone": "0912 000 000",
                "vat": "0109999999",
            }
        )
        cls.other_company_partner = Partner.create(
            {
                "name": "Anh An (chi nhánh khác)",
                "email": "an.nguyen@anhduong.vn",
                "company_id": cls.company_2.id,
            }
        )

    def _matches(self, lead, rules=None):
        return {
            partner: matched
            for partner, __, matched in lead._get_duplicate_partners(rules=rules)[
                lead.id
            ]
        }

    def test_each_rule(self):
        matches = self._matches(self._lead())
        self.assertEqual(
            matches,
            {
                self.by_email: {"email"},
                self.by_phone_intl: {"phone"},
                self.by_mobile_local: {"phone"},
                self.by_vat: {"vat"},
                self.by_name: {"name"},
            },
            "the customer of another company is no candidate",
        )

    def test_phone_forms(self):
        """+84 912 345 678 on the lead finds 0912 345 678 on the customer and
        the other way round, on phone and mobile: lead_management's phone key."""
        for phones in (
            {"phone": "+84 912 345 678"},
            {"phone": False, "mobile": "0912345678"},
            {"phone": "0912-345-678", "country_id": False},
        ):
            lead = self._lead(email_from=False, vat=False, partner_name=False, **phones)
            self.assertEqual(
                set(self._matches(lead)),
                {self.by_phone_intl, self.by_mobile_local},
                phones,
            )
            self.assertEqual(lead._get_phone_keys()[lead.id], {"+84912345678"})
        self.assertEqual(self.by_mobile_local.mobile_normalized, "+84912345678")

    def test_tax_id_and_accented_name(self):
        lead = self._lead(
            email_from=False, phone=False, vat="0101 234 567", partner_name=False
        )
        self.assertEqual(set(self._matches(lead)), {self.by_vat})
        lead = self._lead(
            email_from=False,
            phone=False,
            vat=False,
            partner_name="công ty tnhh Ánh Dương ",
        )
        self.assertEqual(set(self._matches(lead)), {self.by_name})

    @users("lm_salesman")
    def test_wizard_best_first(self):
        """The lead's own customer first, then tax ID, email/phone, name."""
        own = self.env["res.partner"].create({"name": "Khách cũ"})
        lead = self._lead(partner_id=own.id).with_env(self.env)
        # crm copies the customer's (empty) email and phone: put them back
        lead.write({"email_from": "an.nguyen@anhduong.vn", "phone": "0912345678"})
        wizard = self._wizard(lead)
        partners = wizard.duplicate_partner_ids
        self.assertEqual(partners[0], own)
        self.assertEqual(partners[1], self.by_vat)
        self.assertEqual(partners[-1], self.by_name)
        self.assertEqual(len(partners), 6)
        self.assertEqual(wizard.action, "exist")
        self.assertEqual(wizard.partner_id, own)

    @users("lm_salesman")
    def test_returning_lead_exists_with_its_customer(self):
        """crm's own wizard proposes the customer a returning lead matches (here
        by phone only) through crm.lead._find_matching_partner."""
        customer = self.env["res.partner"].create(
            {"name": "Khách quen", "is_company": True, "phone": "+84 987 000 111"}
        )
        # the customer existed well before the lead
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '10 days' "
            "WHERE id = %s",
            [customer.id],
        )
        customer.invalidate_recordset(["create_date"])
        lead = self._lead(
            partner_name="Khách Quen Mới",
            email_from="khachquen@moi.vn",
            phone="0987000111",
            vat=False,
        ).with_env(self.env)
        self.assertTrue(lead.is_returning)
        self.assertEqual(lead._find_matching_partner(), customer)
        self.assertEqual(lead._find_matching_partner(email_only=True), customer)
        wizard = Form(
            self.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
        )
        self.assertEqual(wizard.action, "exist")
        self.assertEqual(wizard.partner_id, customer)
        wizard.save().action_apply()
        self.assertEqual(lead.partner_id.parent_id, customer)
        self.assertEqual(lead.partner_id.name, "Nguyễn Văn An")

    def test_automatic_matching_ignores_names(self):
        """crm's ``email_only`` matching (mass conversion, automatic processes)
        keeps the exact rules: a company of the same name is no match."""
        lead = self._lead(email_from=False, phone=False, vat=False)
        self.assertEqual(lead._find_matching_partner(), self.by_name)
        self.assertFalse(lead._find_matching_partner(email_only=True))

    def test_crm_matching_first(self):
        """crm's own match (the same email) comes first."""
        lead = self._lead(email_from='"An" <AN.Nguyen@AnhDuong.vn>', vat="0101234567")
        self.assertEqual(lead._find_matching_partner(), self.by_email)

    def test_query_count_independent_of_leads(self):
        """One query per rule for the whole batch, however many leads and
        candidates."""
        one = self._lead()
        many = one
        for index in range(19):
            many |= self._lead(
                email_from=f"khach{index}@anhduong.vn",
                phone=f"0913 000 {index:03d}",
                vat=f"0300000{index:03d}",
                partner_name=f"Công ty số {index}",
            )
        self.env["res.partner"].create(
            [
                {
                    "name": f"CONG TY SO {index}",
                    "is_company": True,
                    "email": f"khach{index}@anhduong.vn",
                    "phone": f"+84913000{index:03d}",
                    "vat": f"0300000{index:03d}",
                }
                for index in range(19)
            ]
        )
        many._get_duplicate_partners()  # warm the access rules
        for leads in (one, many):
            self.env.invalidate_all()
            leads.fetch(list(leads._fields))
            (leads.country_id | leads.company_id.country_id).fetch(
                ["code", "phone_code"]
            )
            with self.assertQueryCount(5):
                result = leads._get_duplicate_partners()
            self.assertEqual(len(result), len(leads))
            self.assertTrue(all(result.values()))
