"""The website contact form (website_crm) as a channel. Runs on a database
where website_crm is installed beside the addons: ``make test`` builds one
for it (``tests/workspace.sh``, step "leads from the website contact form");
skipped elsewhere. Odoo's runner: ``--test-tags lead_channel_website``."""

import unittest

from odoo import http
from odoo.tests import HttpCase, tagged
from odoo.tools import file_open

from .channels import ChannelCommon

# The contact form as a site administrator makes it with the website editor:
# "Create an Opportunity" as the form's action (website_crm's own tour does the
# same) and a ZIP code field (the website's form builder offers the lead's
# fields its whitelist names).
CONTACT_FORM_AS_LEAD = "lead_conversion/tests/data/website_contactus_form_lead.xml"


@tagged("post_install", "-at_install", "lead_channel_website")
class TestChannelWebsite(ChannelCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if (
            "website" not in cls.env
            or "crm_default_team_id" not in cls.env["website"]._fields
        ):
            raise unittest.SkipTest("website_crm is not installed")
        # the web server reads the addons' manifests at its first static file;
        # read here, before the browser's parallel requests: Python 3.11's
        # parser is not thread-safe ("AST constructor recursion depth
        # mismatch", CPython issue 106905)
        cls.static_addons = http.root.statics
        cls.website = cls.env.ref("website.default_website")
        cls.env["ir.model.fields"].formbuilder_whitelist("crm.lead", ["zip"])
        with file_open(CONTACT_FORM_AS_LEAD) as view:
            arch = view.read()
        cls.env["ir.ui.view"].create(
            {
                "name": "Contact form creating leads, with a ZIP code",
                "type": "qweb",
                "inherit_id": cls.env.ref("website.contactus").id,
                "arch": arch,
            }
        )

    def _send_contact_form(self):
        before = self.env["crm.lead"].search([])
        self.start_tour("/contactus", "lead_channel_website_contact_form")
        return self.env["crm.lead"].search([]) - before

    def test_contact_form_lead_with_website_team(self):
        """The website's default sales team is the team the form gives."""
        website_team = self.env["crm.team"].create(
            {"name": "Website", "use_leads": True}
        )
        self.website.crm_default_team_id = website_team
        lead = self._send_contact_form()
        self.assertEqual(lead.contact_name, "Võ Thị Thu")
        self.assertEqual(lead.partner_name, "Công ty TNHH Hoa Sen")
        self.assertEqual(lead.zip, "700000")
        self.assertEqual(lead.medium_id.name, "Website")
        self.assertCompleteLead(
            lead,
            territory=self.territory_sg,
            team=website_team,
            returning=False,
            rules=self.rule_email,
        )

    def test_contact_form_routed_by_territory_for_returning_customer(self):
        """No default sales team on the website: the territory's team. A
        visitor whose email is a customer's is returning."""
        self.website.crm_default_team_id = False
        self.env["res.partner"].create(
            {"name": "Võ Thị Thu", "email": "thu.vo@hoasen.example.vn"}
        ).flush_recordset()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '1 day'"
            " WHERE email = 'thu.vo@hoasen.example.vn'"
        )
        self.env["res.partner"].invalidate_model(["create_date"])
        lead = self._send_contact_form()
        self.assertCompleteLead(
            lead,
            territory=self.territory_sg,
            team=self.team_south,
            returning=True,
            rules=self.rule_email,
        )
        # website_crm: without a team, the Leads feature of the visitor (the
        # public user, who has none) would make it an opportunity; it is a
        # lead while crm's Leads setting is on
        self.assertEqual(lead.type, "lead")
