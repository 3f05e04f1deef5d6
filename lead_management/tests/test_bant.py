from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestBant(LeadManagementCommon):
    def test_defaults_and_score(self):
        lead = self.env["crm.lead"].create({"name": "BANT"})
        for fname in ("bant_budget", "bant_authority", "bant_need", "bant_timeline"):
            self.assertEqual(lead[fname], "unknown")
        self.assertEqual(lead.bant_score, 0)
        self.assertFalse(lead.is_qualified)
        lead.write({"bant_budget": "yes", "bant_authority": "influencer"})
        self.assertEqual(lead.bant_score, 1)
        lead.write({"bant_authority": "decision_maker", "bant_need": "identified"})
        self.assertEqual(lead.bant_score, 3)
        self.assertTrue(lead.is_qualified, "default threshold is 3")
        lead.bant_timeline = "later"
        self.assertEqual(lead.bant_score, 3)
        lead.bant_timeline = "quarter"
        self.assertEqual(lead.bant_score, 4)
        lead.bant_timeline = "year"
        self.assertEqual(lead.bant_score, 4)
        lead.bant_budget = "no"
        self.assertEqual(lead.bant_score, 3)

    def test_threshold(self):
        lead = self.env["crm.lead"].create({"name": "T", "bant_budget": "yes"})
        self.assertFalse(lead.is_qualified)
        self.company.bant_qualification_threshold = 1
        self.assertTrue(lead.is_qualified)
        self.company.bant_qualification_threshold = 4
        self.assertFalse(lead.is_qualified)
        for wrong in (0, 5, -1):
            with (
                self.assertRaisesRegex(ValidationError, "between 1 and 4"),
                self.env.cr.savepoint(),
            ):
                self.company.bant_qualification_threshold = wrong

    def test_settings(self):
        with Form(self.env["res.config.settings"]) as settings:
            settings.bant_qualification_threshold = 2
        settings.save().execute()
        self.assertEqual(self.company.bant_qualification_threshold, 2)

    def test_qualification_tracked(self):
        lead = self.env["crm.lead"].create({"name": "Tracked"})
        self.flush_tracking()
        lead.write(
            {
                "bant_budget": "yes",
                "bant_authority": "decision_maker",
                "bant_need": "identified",
            }
        )
        self.flush_tracking()
        tracked = lead.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("is_qualified", tracked)
        self.assertIn("bant_budget", tracked)

    def test_qualified_filter(self):
        qualified = self.env["crm.lead"].create(
            {
                "name": "Q",
                "bant_budget": "yes",
                "bant_authority": "decision_maker",
                "bant_timeline": "quarter",
            }
        )
        unqualified = self.env["crm.lead"].create({"name": "NQ"})
        found = self.env["crm.lead"].search([("is_qualified", "=", True)])
        self.assertIn(qualified, found)
        self.assertNotIn(unqualified, found)
