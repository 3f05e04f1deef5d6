from contextlib import contextmanager

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged, users

from .common import LeadManagementCommon

MISSING_ID = 2_000_000_000


@tagged("post_install", "-at_install")
class TestBadInput(LeadManagementCommon):
    """Bad input as an RPC client sends it (create, write, unlink, load with
    plain values, as a user of the role doing it): a clear error naming the
    problem and nothing changed."""

    @contextmanager
    def assertRefused(self, exception, pattern):
        """assertRaises, which rolls back what the call did as the RPC call's
        transaction would be, and the message matching ``pattern``."""
        with self.assertRaises(exception) as error:
            yield error
        self.assertRegex(str(error.exception), pattern)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Khách Hà Nội",
                "zip": "100000",
                "country_id": cls.vn.id,
                "user_id": cls.user_salesman.id,
                "team_id": cls.team_north.id,
                "bant_budget": "yes",
                "lead_status_id": cls.status_potential.id,
            }
        )
        cls.user_settings = mail_new_test_user(
            cls.env,
            login="lm_settings",
            name="Quản Trị Hệ Thống",
            groups="base.group_system,sales_team.group_sale_manager",
        )

    def _lead_values(self, lead):
        lead.invalidate_recordset()
        return lead.read(
            [
                "name",
                "lead_status_id",
                "territory_id",
                "country_id",
                "state_id",
                "phone",
                "bant_budget",
                "bant_need",
                "bant_score",
                "is_qualified",
                "is_returning",
            ]
        )[0]

    def _count_leads(self):
        return self.env["crm.lead"].with_context(active_test=False).search_count([])

    @users("lm_salesman")
    def test_bad_lead_values(self):
        """Unknown ids, BANT values outside their list, a phone or email too
        long: the message names the field and the value, on create and on
        write, and the lead is unchanged."""
        cases = [
            ("unknown status", {"lead_status_id": MISSING_ID}, "Lead Status"),
            ("unknown country", {"country_id": MISSING_ID}, "Country"),
            ("unknown state", {"state_id": MISSING_ID}, "State"),
            ("unknown territory", {"territory_id": MISSING_ID}, "Territory"),
            ("BANT budget", {"bant_budget": "maybe"}, "'maybe' is not a valid"),
            ("BANT need", {"bant_need": 1}, "Need: 1 is not a valid"),
            ("BANT timeline", {"bant_timeline": "Within a year"}, "Timeline"),
            ("long phone", {"phone": "9" * 5000}, "Phone: 5000 characters"),
            ("long email", {"email_from": "a" * 600 + "@x.vn"}, "Email"),
        ]
        Lead = self.env["crm.lead"]
        lead = self.lead.with_env(self.env)
        before, count = self._lead_values(lead), self._count_leads()
        for label, vals, expected in cases:
            with self.subTest(label):
                with self.assertRaises(ValidationError) as error:
                    Lead.create({"name": "Mới", **vals})
                message = str(error.exception)
                self.assertIn("The lead cannot be saved", message)
                self.assertIn(expected, message)
                if "_id" in next(iter(vals)):
                    self.assertIn(str(MISSING_ID), message)
                with self.assertRaises(ValidationError) as error:
                    lead.write({"name": "Đổi tên", **vals})
                self.assertIn(expected, str(error.exception))
                self.assertEqual(self._lead_values(lead), before)
                self.assertEqual(self._count_leads(), count)

    @users("lm_salesman")
    def test_bad_values_all_named(self):
        with self.assertRaises(ValidationError) as error:
            self.env["crm.lead"].create(
                {
                    "name": "Sai nhiều",
                    "country_id": MISSING_ID,
                    "bant_authority": "ceo",
                }
            )
        self.assertIn("Country", str(error.exception))
        self.assertIn("'ceo'", str(error.exception))

    def test_computed_fields_cannot_be_written(self):
        """The BANT score, the qualification and the returning flag are
        computed: writing another value is refused for a salesperson and the
        administrator; the value it already has is ignored."""
        admin = self.env.ref("base.user_admin")
        lead = self.lead
        before = self._lead_values(lead)
        self.assertEqual((before["bant_score"], before["is_qualified"]), (1, False))
        cases = [
            ({"bant_score": 4}, "bant_score"),
            ({"is_qualified": True}, "is_qualified"),
            ({"is_returning": True}, "is_returning"),
            ({"name": "Đổi tên", "bant_score": 0}, "bant_score"),
        ]
        for user in (self.user_salesman, admin):
            for vals, field in cases:
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(UserError) as error:
                        lead.with_user(user).write(vals)
                    self.assertIn(field, str(error.exception))
                    self.assertIn("computed and cannot be set", str(error.exception))
                    self.assertEqual(self._lead_values(lead), before)
            lead.with_user(user).write(
                {"is_qualified": False, "bant_score": 1, "description": "cùng giá trị"}
            )
            self.assertEqual(self._lead_values(lead), before)
            self.assertEqual(lead.description, "<p>cùng giá trị</p>", "written")
        count = self._count_leads()
        with self.assertRefused(UserError, "is_qualified"):
            self.env["crm.lead"].with_user(self.user_salesman).create(
                {"name": "Đủ điều kiện?", "is_qualified": True}
            )
        self.assertEqual(self._count_leads(), count)

    @users("lm_manager")
    def test_huge_import_row(self):
        """A row with an oversized phone is refused with a message naming the
        field, not PostgreSQL's index error; nothing is imported. A long note
        is imported whole."""
        Lead = self.env["crm.lead"]
        count = self._count_leads()
        huge_phone = "0" + "123456789" * 1000
        result = Lead.load(
            ["name", "phone", "description"],
            [["Dòng 1", "0912 345 678", "ok"], ["Dòng 2", huge_phone, "x"]],
        )
        self.assertFalse(result["ids"])
        [message] = [m for m in result["messages"] if m["record"] == 1]
        self.assertEqual(message["type"], "error")
        self.assertIn("Phone: 9001 characters", message["message"])
        self.assertEqual(self._count_leads(), count)
        note = "Ghi chú dài. " * 50_000
        result = Lead.load(["name", "description"], [["Dòng dài", note]])
        self.assertFalse(result["messages"], result["messages"])
        lead = Lead.browse(result["ids"])
        self.assertIn(note.strip(), lead.description)
        self.assertEqual(self._count_leads(), count + 1)

    @users("lm_manager")
    def test_import_computed_column_refused(self):
        result = self.env["crm.lead"].load(
            ["name", "is_returning"], [["Cũ", "False"], ["Quay lại", "True"]]
        )
        self.assertFalse(result["ids"])
        [message] = [m for m in result["messages"] if m["record"] == 1]
        self.assertIn("Returning (is_returning)", message["message"])

    @users("lm_manager")
    def test_territory_cycle(self):
        Territory = self.env["crm.territory"]
        vn = self.territory_vn.with_env(self.env)
        for parent in (self.territory_hn_center, self.territory_vn):
            with self.subTest(parent=parent.name):
                with self.assertRefused(ValidationError, "its own parent"):
                    vn.write({"parent_id": parent.id})
                self.assertFalse(vn.parent_id)
        self.assertEqual(
            Territory.search([("id", "child_of", vn.id)]),
            self.territory_vn
            | self.territory_hn
            | self.territory_hn_center
            | self.territory_sg,
        )

    @users("lm_manager")
    def test_identical_zip_prefixes(self):
        Territory = self.env["crm.territory"]
        count = Territory.search_count([])
        for prefixes in ("70", "12, 70", " 7 0 ", "1000"):
            with self.subTest(prefixes=prefixes):
                with self.assertRefused(
                    ValidationError, "ZIP prefix .* is already used by the territory"
                ):
                    Territory.create({"name": "Trùng", "zip_prefixes": prefixes})
                self.assertEqual(Territory.search_count([]), count)
        sg = self.territory_sg.with_env(self.env)
        with self.assertRefused(ValidationError, "ZIP prefix 10 .* Hà Nội"):
            sg.write({"zip_prefixes": "70, 10"})
        self.assertEqual(sg.zip_prefixes, "70")
        self.assertEqual(self.lead.territory_id, self.territory_hn_center)
        # another company may use the same prefix; an archived territory
        # gives its prefixes up
        other = self.env["res.company"].sudo().create({"name": "Công ty Khác"})
        Territory.sudo().create(
            {"name": "Khác", "zip_prefixes": "70", "company_id": other.id}
        )
        self.territory_sg.action_archive()
        Territory.create({"name": "Thay thế", "zip_prefixes": "70"})
        with self.assertRefused(ValidationError, "ZIP prefix 70"):
            sg.action_unarchive()

    @users("lm_manager")
    def test_delete_fallback_status(self):
        unknown = self.status_unknown.with_env(self.env)
        lead = self.lead.with_env(self.env)
        lead.write({"lead_status_id": unknown.id})
        with self.assertRefused(UserError, "fallback status .* cannot be deleted"):
            unknown.unlink()
        with self.assertRefused(UserError, "cannot be deleted"):
            (self.status_interested.with_env(self.env) | unknown).unlink()
        self.assertTrue(unknown.exists())
        self.assertTrue(self.status_interested.exists())
        self.assertEqual(lead.lead_status_id, unknown)

    def test_threshold_out_of_range(self):
        company = self.env.company.with_user(self.user_settings)
        for value in (0, 5, -1):
            with self.subTest(value=value):
                with self.assertRefused(
                    ValidationError, rf"between 1 and 4 \(got {value}\)"
                ):
                    company.write({"bant_qualification_threshold": value})
                settings = self.env["res.config.settings"].with_user(self.user_settings)
                with self.assertRefused(ValidationError, "between 1 and 4"):
                    settings.create({"bant_qualification_threshold": value}).execute()
                self.assertEqual(company.bant_qualification_threshold, 3)
