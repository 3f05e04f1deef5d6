from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged, users

from .common import LeadManagementCommon

QUALIFIED_BANT = {
    "bant_budget": "yes",
    "bant_authority": "decision_maker",
    "bant_need": "identified",
}


@tagged("post_install", "-at_install")
class TestStatusQualification(LeadManagementCommon):
    """The status Qualified and the BANT qualification say the same thing:
    only a lead qualified by BANT is in a status requiring it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.status_qualified = cls.env.ref("lead_management.lead_status_qualified")
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Công ty Hoa Sen",
                "user_id": cls.user_salesman.id,
                "team_id": cls.team_north.id,
                "bant_budget": "yes",
            }
        )

    def test_preloaded_qualified_requires_qualification(self):
        statuses = self.env["crm.lead.status"].search(
            [("requires_qualification", "=", True)]
        )
        self.assertEqual(statuses, self.status_qualified)

    @users("lm_salesman")
    def test_unqualified_lead_refused_naming_missing_criteria(self):
        lead = self.lead.with_env(self.env)
        with self.assertRaises(UserError) as error, self.env.cr.savepoint():
            lead.lead_status_id = self.status_qualified
        message = str(error.exception)
        self.assertIn("Công ty Hoa Sen", message)
        self.assertIn("Qualified", message)
        self.assertIn("at least 3 of 4", message)
        self.assertIn("scores 1 of 4", message)
        self.assertIn(
            "decision maker not reached, need not identified, "
            "no purchase timeline within a year",
            message,
        )
        self.assertNotIn("budget not confirmed", message)

    @users("lm_salesman")
    def test_qualified_lead_moves_to_qualified(self):
        lead = self.lead.with_env(self.env)
        lead.write(QUALIFIED_BANT)
        self.assertTrue(lead.is_qualified)
        lead.lead_status_id = self.status_qualified
        self.assertEqual(lead.lead_status_id, self.status_qualified)
        # qualification and status in one write: checked after it
        other = self.env["crm.lead"].create({"name": "Cùng lúc"})
        other.write(dict(QUALIFIED_BANT, lead_status_id=self.status_qualified.id))
        self.assertEqual(other.lead_status_id, self.status_qualified)

    def test_threshold_of_the_company(self):
        self.company.bant_qualification_threshold = 1
        self.lead.lead_status_id = self.status_qualified
        self.assertEqual(self.lead.lead_status_id, self.status_qualified)

    def test_create_in_qualified(self):
        Lead = self.env["crm.lead"]
        lead = Lead.create(
            dict(
                QUALIFIED_BANT, name="Đủ BANT", lead_status_id=self.status_qualified.id
            )
        )
        self.assertEqual(lead.lead_status_id, self.status_qualified)
        with self.assertRaisesRegex(UserError, "budget not confirmed"):
            Lead.create(
                {"name": "Chưa BANT", "lead_status_id": self.status_qualified.id}
            )

    def test_losing_qualification_in_qualified_refused(self):
        self.lead.write(dict(QUALIFIED_BANT, lead_status_id=self.status_qualified.id))
        with (
            self.assertRaisesRegex(UserError, "need not identified"),
            self.env.cr.savepoint(),
        ):
            self.lead.bant_need = "none"
        # one criterion more or less above the threshold is fine
        self.lead.bant_timeline = "year"
        self.lead.bant_timeline = "later"
        self.assertTrue(self.lead.is_qualified)
        # out of Qualified first, then the lead may lose its qualification
        self.lead.write({"lead_status_id": self.status_interested.id})
        self.lead.bant_need = "none"
        self.assertFalse(self.lead.is_qualified)

    def test_other_statuses_and_multi_edit(self):
        leads = self.lead | self.env["crm.lead"].create(
            dict(QUALIFIED_BANT, name="Đã đủ")
        )
        for status in (self.status_interested, self.status_customer):
            leads.lead_status_id = status
            self.assertEqual(leads.lead_status_id, status)
        with (
            self.assertRaisesRegex(UserError, "Công ty Hoa Sen"),
            self.env.cr.savepoint(),
        ):
            leads.lead_status_id = self.status_qualified

    def test_flag_is_the_rule_not_the_name(self):
        """Admins choose which statuses require qualification."""
        self.status_qualified.requires_qualification = False
        self.lead.lead_status_id = self.status_qualified
        self.assertEqual(self.lead.lead_status_id, self.status_qualified)
        self.status_customer.requires_qualification = True
        with self.assertRaisesRegex(UserError, "status Customer"):
            self.lead.lead_status_id = self.status_customer

    def test_default_status_never_requires_qualification(self):
        self.status_qualified.sequence = -10
        lead = self.env["crm.lead"].create({"name": "Mới"})
        self.assertEqual(lead.lead_status_id, self.status_potential)

    def test_fallback_cannot_require_qualification(self):
        with self.assertRaisesRegex(ValidationError, "fallback status Unknown"):
            self.status_unknown.requires_qualification = True

    def test_deleting_a_status_still_moves_leads_to_fallback(self):
        self.lead.write(dict(QUALIFIED_BANT, lead_status_id=self.status_qualified.id))
        self.status_qualified.unlink()
        self.assertEqual(self.lead.lead_status_id, self.status_unknown)

    def test_import_into_qualified(self):
        result = (
            self.env["crm.lead"]
            .with_context(import_file=True)
            .load(
                ["name", "lead_status_id", *QUALIFIED_BANT],
                [
                    ["Nhập đủ", "Qualified", "yes", "decision_maker", "identified"],
                ],
            )
        )
        self.assertFalse(result["messages"])
        lead = self.env["crm.lead"].browse(result["ids"])
        self.assertEqual(lead.lead_status_id, self.status_qualified)
        result = (
            self.env["crm.lead"]
            .with_context(import_file=True)
            .load(["name", "lead_status_id"], [["Nhập thiếu", "Qualified"]])
        )
        self.assertFalse(result["ids"])
        self.assertIn("budget not confirmed", result["messages"][0]["message"])
