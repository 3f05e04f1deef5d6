from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, tagged

from .common import QUALIFIED


@tagged("post_install", "-at_install")
class TestConversionUi(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.vn")
        cls.env.company.conversion_requires_qualification = True

    def test_convert_linking_returning_customer(self):
        """Open a qualified lead, crm's Convert to Opportunity: the customer
        with the same phone is proposed, the lead's contact added under it, the
        opportunity keeps the lead's history."""
        user = mail_new_test_user(
            self.env,
            login="lc_tour_salesman",
            name="Bán Hàng Tour",
            groups="sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create(
            {"name": "CONG TY TNHH HOA SEN", "is_company": True, "phone": "0912888999"}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Phần mềm cho Hoa Sen",
                "type": "lead",
                "partner_name": "Công ty TNHH Hoa Sen Mới",
                "contact_name": "Lý Thị Sen",
                "phone": "+84 912 888 999",
                "user_id": user.id,
                **QUALIFIED,
            }
        )
        lead.message_post(body="Khách gọi hỏi giá phần mềm.")
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "lead_conversion_link_duplicate",
            login="lc_tour_salesman",
        )
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.converted_by_id, user)
        self.assertEqual(lead.partner_id.parent_id, customer)
        self.assertEqual(lead.partner_id.name, "Lý Thị Sen")
        self.assertFalse(
            self.env["res.partner"].search([("name", "ilike", "Hoa Sen Mới")]),
            "no duplicate of the customer",
        )

    def test_mass_convert_from_the_list(self):
        """Select leads in the list, Actions > Convert to opportunities: all
        become opportunities with their company and contact."""
        user = mail_new_test_user(
            self.env,
            login="lc_tour_mass",
            name="Bán Hàng Loạt",
            groups="sales_team.group_sale_salesman",
        )
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Hàng loạt {letter}",
                    "type": "lead",
                    "partner_name": f"Công ty Hàng loạt {letter}",
                    "contact_name": f"Người {letter}",
                    "email_from": f"hangloat{letter.lower()}@tour.vn",
                    "user_id": user.id,
                    **QUALIFIED,
                }
                for letter in "AB"
            ]
        )
        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads",
            "lead_conversion_mass",
            login="lc_tour_mass",
        )
        self.assertEqual(leads.mapped("type"), ["opportunity", "opportunity"])
        self.assertEqual(
            leads.mapped("partner_id.parent_id.name"),
            ["Công ty Hàng loạt A", "Công ty Hàng loạt B"],
        )
        self.assertEqual(leads.converted_by_id, user)
