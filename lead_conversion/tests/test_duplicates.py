from odoo.exceptions import UserError
from odoo.tests import tagged, users

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

    def _candidates(self, lead):
        return {
            partner: rules
            for partner, __, rules in lead._conversion_find_duplicates()[lead.id]
        }

    def test_each_rule(self):
        lead = self._lead()
        candidates = self._candidates(lead)
        self.assertEqual(candidates[self.by_email], {"email"})
        self.assertEqual(candidates[self.by_phone_intl], {"phone"})
        self.assertEqual(candidates[self.by_mobile_local], {"phone"})
        self.assertEqual(candidates[self.by_vat], {"vat"})
        self.assertEqual(candidates[self.by_name], {"name"})
        self.assertNotIn(self.unrelated, candidates)
        self.assertNotIn(
            self.other_company_partner, candidates, "another company's partner"
        )

    def test_phone_forms(self):
        """+84 912 345 678 on the lead finds 0912 345 678 on the partner and
        the other way round, on phone and mobile."""
        lead = self._lead(
            phone="+84 912 345 678", email_from=False, vat=False, partner_name=False
        )
        self.assertEqual(
            set(self._candidates(lead)), {self.by_phone_intl, self.by_mobile_local}
        )
        lead = self._lead(
            phone=False,
            mobile="0912345678",
            email_from=False,
            vat=False,
            partner_name=False,
        )
        self.assertEqual(
            set(self._candidates(lead)), {self.by_phone_intl, self.by_mobile_local}
        )

    def test_tax_code_and_accented_name(self):
        lead = self._lead(
            email_from=False, phone=False, vat="0101 234 567", partner_name=False
        )
        self.assertEqual(set(self._candidates(lead)), {self.by_vat})
        lead = self._lead(
            email_from=False,
            phone=False,
            vat=False,
            partner_name="công ty tnhh Ánh Dương ",
        )
        self.assertEqual(set(self._candidates(lead)), {self.by_name})

    @users("lc_salesman")
    def test_wizard_best_first(self):
        """The lead's own customer first, then tax code, email/phone, name."""
        own = self.env["res.partner"].create({"name": "Khách cũ"})
        lead = self._lead(partner_id=own.id).with_env(self.env)
        # the partner onchange copies its (empty) email/phone: put them back
        lead.write({"email_from": "an.nguyen@anhduong.vn", "phone": "0912345678"})
        wizard = self._wizard(lead)
        partners = wizard.duplicate_partner_ids
        self.assertEqual(partners[0], own)
        self.assertEqual(partners[1], self.by_vat)
        self.assertEqual(partners[-1], self.by_name)
        self.assertEqual(
            set(partners.ids),
            {
                own.id,
                self.by_vat.id,
                self.by_email.id,
                self.by_phone_intl.id,
                self.by_mobile_local.id,
                self.by_name.id,
            },
        )
        self.assertEqual(wizard.customer_action, "link")
        self.assertEqual(wizard.partner_id, own)

    @users("lc_salesman")
    def test_returning_lead_links_its_customer(self):
        self._lead(partner_id=self.by_email.id, email_from=False)
        lead = self._lead(
            partner_id=self.by_email.id, vat=False, partner_name=False
        ).with_env(self.env)
        self.assertTrue(lead.is_returning)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.customer_action, "link")
        self.assertEqual(wizard.partner_id, self.by_email)

    @users("lc_salesman")
    def test_create_with_candidates_in_view(self):
        """Choosing "create" while the matches are shown is the user's call."""
        lead = self._lead().with_env(self.env)
        wizard = self._wizard(lead, customer_action="create")
        self.assertTrue(wizard.duplicate_partner_ids)
        wizard.action_convert()
        self.assertEqual(lead.partner_id.parent_id.name, "Công ty TNHH Ánh Dương")

    @users("lc_salesman")
    def test_no_hidden_duplicate_created(self):
        """A customer with the lead's email appearing after the wizard opened
        blocks "create": the user never saw it."""
        lead = self._lead(
            email_from="moi@khachhang.vn", phone=False, vat=False, partner_name="X"
        ).with_env(self.env)
        wizard = self._wizard(lead)
        self.assertEqual(wizard.customer_action, "create")
        self.assertFalse(wizard.duplicate_partner_ids)
        self.env["res.partner"].create({"name": "Mới", "email": "MOI@khachhang.vn"})
        partner_count = self.env["res.partner"].search_count([])
        with self.assertRaisesRegex(UserError, "were not shown"):
            wizard.action_convert()
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)
        self.assertEqual(lead.type, "lead")

    @users("lc_salesman")
    def test_no_hidden_duplicate_contact_when_linking(self):
        company = self.env["res.partner"].create(
            {"name": "Công ty Liên Kết", "is_company": True}
        )
        lead = self._lead(
            email_from="lienket@khachhang.vn",
            phone=False,
            vat=False,
            partner_name=False,
        ).with_env(self.env)
        wizard = self._wizard(lead, customer_action="link", partner_id=company.id)
        self.assertTrue(wizard.create_contact)
        self.env["res.partner"].create({"name": "Mới", "email": "lienket@khachhang.vn"})
        with self.assertRaisesRegex(UserError, "were not shown"):
            wizard.action_convert()
        self.assertEqual(lead.type, "lead")

    def test_query_count_independent_of_candidates(self):
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

        def count_queries(leads):
            self.env.invalidate_all()
            leads.fetch(list(leads._fields))
            leads.company_id.country_id.fetch(["code"])
            start = self.cr.sql_log_count
            result = leads._conversion_find_duplicates()
            return self.cr.sql_log_count - start, result

        count_one, __ = count_queries(one)
        count_many, result = count_queries(many)
        self.assertLessEqual(count_many, 6)
        self.assertEqual(count_many, count_one)
        self.assertTrue(all(result.values()))
        self.assertEqual(len(result), 20)
