from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged, users

from .common import LeadConversionCommon


@tagged("post_install", "-at_install")
class TestBadInput(LeadConversionCommon):
    """Conversions an RPC client may ask for that cannot be done, and the
    conversion record written by hand: a clear error naming the problem and
    nothing converted, no customer created."""

    def _state(self, leads):
        leads.invalidate_recordset()
        return [
            (
                lead.type,
                lead.active,
                lead.partner_id,
                lead.converted_by_id,
                lead.conversion_partner_ids,
                lead.date_conversion,
                lead.lead_status_id,
            )
            for lead in leads.with_context(active_test=False)
        ]

    def _partner_count(self):
        return self.env["res.partner"].with_context(active_test=False).search_count([])

    @contextmanager
    def assertRefused(self, exception, pattern):
        """assertRaises, which rolls back what the call did as the RPC call's
        transaction would be, and the message matching ``pattern``."""
        with self.assertRaises(exception) as error:
            yield error
        self.assertRegex(str(error.exception), pattern)

    @users("lm_salesman")
    def test_leads_that_cannot_be_converted(self):
        """A lead not qualified, already an opportunity, already converted
        into a customer, won, lost or archived: the wizard refuses it and says
        why."""
        customer_only = self._lead(email_from="khach@vn.vn", phone=False)
        self._wizard(
            customer_only.with_env(self.env), create_opportunity=False
        ).action_apply()
        self.assertEqual(customer_only.converted_by_id, self.user_salesman)
        lost = self._lead(email_from="mat@vn.vn", phone=False)
        lost.action_set_lost()
        # crm marks an archived lead lost
        archived = self._lead(email_from="luu@vn.vn", phone=False, probability=30)
        archived.action_archive()
        cases = [
            (
                "unqualified",
                self._lead(bant_need="none", email_from="chua@vn.vn", phone=False),
                {},
                "Only qualified leads can be converted",
            ),
            (
                "opportunity",
                self._lead(type="opportunity", email_from="co@hoi.vn", phone=False),
                {},
                "is already an opportunity",
            ),
            (
                "customer only, again",
                customer_only,
                {"create_opportunity": False},
                "was already converted",
            ),
            ("lost", lost, {}, "is lost"),
            ("archived", archived, {}, "is lost"),
            # crm refuses it when the wizard opens
            (
                "won",
                self._lead(email_from="thang@vn.vn", phone=False, probability=100),
                {},
                "Closed/Dead leads cannot be converted",
            ),
        ]
        for label, record, options, expected in cases:
            with self.subTest(label):
                lead = record.with_env(self.env)
                before, partners = self._state(lead), self._partner_count()
                with self.assertRaises(UserError) as error:
                    self._wizard(lead, mass=False, **options).action_apply()
                message = str(error.exception)
                self.assertIn(expected, message)
                if label != "won":
                    self.assertIn("Nothing was converted", message)
                    self.assertIn(lead.name, message)
                self.assertEqual(self._state(lead), before)
                self.assertEqual(self._partner_count(), partners)

    @users("lm_salesman")
    def test_mass_conversion_of_nothing_convertible(self):
        """crm's mass conversion leaves won, lost and archived leads as they
        are (and converts opportunities again); a selection of only leads it
        leaves is refused."""
        lost = self._lead(email_from="mat@vn.vn", phone=False)
        lost.action_set_lost()
        archived = self._lead(email_from="luu@vn.vn", phone=False)
        archived.action_archive()
        archived.probability = 30  # crm zeroes it when archiving
        leads = (lost | archived).with_env(self.env)
        before, partners = self._state(leads), self._partner_count()
        with self.assertRaises(UserError) as error:
            self._wizard(leads, mass=True, deduplicate=False).action_mass_convert()
        self.assertIn("is lost", str(error.exception))
        self.assertIn("is archived", str(error.exception))
        self.assertEqual(self._state(leads), before)
        self.assertEqual(self._partner_count(), partners)
        # with an opportunity, crm's mass conversion reassigns it
        opportunity = self._lead(
            type="opportunity", email_from="co@hoi.vn", user_id=False
        )
        self._wizard(
            (leads | opportunity).with_env(self.env),
            mass=True,
            deduplicate=False,
            user_ids=self.user_salesman.ids,
        ).action_mass_convert()
        self.assertEqual(opportunity.user_id, self.user_salesman)
        self.assertEqual(self._state(leads), before)

    def test_mass_conversion_mixing_companies(self):
        self.user_manager.company_ids |= self.company_2
        lead_1 = self._lead(email_from="mot@vn.vn", phone=False)
        lead_2 = self._lead(
            email_from="hai@vn.vn",
            phone=False,
            company_id=self.company_2.id,
            team_id=False,
            user_id=False,
        )
        leads = (
            (lead_1 | lead_2)
            .with_user(self.user_manager)
            .with_context(allowed_company_ids=(self.company | self.company_2).ids)
        )
        before, partners = self._state(leads), self._partner_count()
        for mass in (True, False):
            with self.subTest(mass=mass):
                with self.assertRaises(UserError) as error:
                    if mass:
                        self._wizard(
                            leads, mass=True, deduplicate=False
                        ).action_mass_convert()
                    else:
                        self._wizard(leads, mass=False).action_apply()
                message = str(error.exception)
                self.assertIn("several companies", message)
                self.assertIn(self.company.name, message)
                self.assertIn(self.company_2.name, message)
                self.assertEqual(self._state(leads), before)
                self.assertEqual(self._partner_count(), partners)

    def test_conversion_record_cannot_be_written(self):
        """Who converted a lead and the customers its conversion made are
        written by the conversion only: refused for a salesperson and for the
        administrator, on create, write and import."""
        admin = self.env.ref("base.user_admin")
        partner = self.env["res.partner"].create({"name": "Giả mạo"})
        lead = self._lead(email_from="that@vn.vn", phone=False)
        before = self._state(lead)
        cases = [
            {"converted_by_id": self.user_salesman.id},
            {"conversion_partner_ids": [Command.link(partner.id)]},
            {"conversion_partner_ids": [Command.set(partner.ids)]},
        ]
        for user in (self.user_salesman, admin):
            for vals in cases:
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(UserError) as error:
                        lead.with_user(user).write(vals)
                    self.assertIn(next(iter(vals)), str(error.exception))
                    self.assertIn("computed and cannot be set", str(error.exception))
                    self.assertEqual(self._state(lead), before)
            with self.assertRefused(UserError, "converted_by_id"):
                self.env["crm.lead"].with_user(user).create(
                    {"name": "Giả", "converted_by_id": user.id}
                )
        result = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .load(["name", "converted_by_id/id"], [["Nhập", "base.user_admin"]])
        )
        self.assertFalse(result["ids"])
        self.assertIn("converted_by_id", result["messages"][0]["message"])
        # the conversion itself still records them
        self._wizard(lead.with_user(self.user_salesman)).action_apply()
        self.assertEqual(lead.converted_by_id, self.user_salesman)
        self.assertEqual(len(lead.conversion_partner_ids), 2)
