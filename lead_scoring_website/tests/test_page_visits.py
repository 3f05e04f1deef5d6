from datetime import timedelta

from odoo import Command, fields
from odoo.addons.lead_scoring.models.crm_lead import defer_scoring
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, TransactionCase, tagged


class PageVisitCommon:
    @classmethod
    def _set_up_page_visits(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["crm.lead.scoring.rule"].search([]).action_archive()
        defer_scoring(cls.env["crm.lead"]).search([]).write({"active": False})
        cls.env["crm.lead.scoring.job"].search([]).unlink()
        cls.Event = cls.env["crm.lead.scoring.event"]
        cls.Event.search([]).unlink()
        cls.website = cls.env["website"].get_current_website()
        cls.rule = cls.env["crm.lead.scoring.rule"].create(
            {
                "name": "Read the pricing twice",
                "points": 25,
                "rule_type": "engagement",
                "event_type": "page_visit",
                "event_url": "/lead-scoring-pricing",
                "event_min_count": 2,
                "company_id": False,
            }
        )

    @classmethod
    def _create_visitor(cls, token):
        return cls.env["website.visitor"].create(
            {"access_token": token, "website_id": cls.website.id}
        )


@tagged("post_install", "-at_install", "lead_channel_website")
class TestPageVisitRules(PageVisitCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_page_visits()

    def _track(self, visitor, url, days_ago=0):
        return self.env["website.track"].create(
            {
                "visitor_id": visitor.id,
                "url": url,
                "visit_datetime": self.env.cr.now() - timedelta(days=days_ago),
            }
        )

    def test_pages_visited_by_url_window_and_count(self):
        self.rule.event_window_days = 7
        twice, once, old, other_page = (
            self._create_visitor(f"{index:032x}") for index in range(1, 5)
        )
        leads = self.env["crm.lead"].create(
            [
                {"name": name, "visitor_ids": [Command.link(visitor.id)]}
                for name, visitor in (
                    ("Twice", twice),
                    ("Once", once),
                    ("Old", old),
                    ("Other page", other_page),
                )
            ]
        )
        self.assertEqual(leads.mapped("engagement_score"), [0, 0, 0, 0])
        self._track(twice, "https://shop.example/lead-scoring-pricing", 1)
        self._track(twice, "https://shop.example/lead-scoring-pricing?plan=2", 2)
        self._track(once, "https://shop.example/lead-scoring-pricing", 1)
        self._track(old, "https://shop.example/lead-scoring-pricing", 1)
        self._track(old, "https://shop.example/lead-scoring-pricing", 30)
        self._track(other_page, "https://shop.example/contactus", 1)
        self._track(other_page, "https://shop.example/contactus", 1)
        self.assertEqual(
            set(self.Event.search([]).lead_id.ids), set(leads.ids), "every lead marked"
        )
        self.Event._cron_rescore_marked_leads()
        self.assertEqual(leads.mapped("engagement_score"), [25, 0, 0, 0])
        self.assertEqual(self.rule.lead_count, 1)

    def test_salesperson_sees_no_visit_date(self):
        """The explanation shows the date of the latest page visit only to
        whom may read the page views."""
        visitor = self._create_visitor(f"{7:032x}")
        self._track(visitor, "https://shop.example/lead-scoring-pricing", 3)
        self._track(visitor, "https://shop.example/lead-scoring-pricing", 2)
        salesman = mail_new_test_user(
            self.env,
            login="visits_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        lead = self.env["crm.lead"].create(
            {"name": "Visited", "visitor_ids": [Command.link(visitor.id)]}
        )
        self.assertEqual(lead.engagement_score, 25)
        self.assertRegex(lead.score_explanation, r"latest event \d")
        # website_crm lets salespeople read the page views
        as_salesman = lead.with_user(salesman)
        self.assertRegex(as_salesman.score_explanation, r"latest event \d")
        # without that access, the rule and its points, not the date
        self.env.ref("website_crm.access_website_track_salesman").unlink()
        lead.invalidate_recordset()
        self.assertIn("Read the pricing twice", as_salesman.score_explanation)
        self.assertIn("latest event -", as_salesman.score_explanation)

    def test_visitor_linked_later_brings_its_visits(self):
        visitor = self._create_visitor(f"{9:032x}")
        self._track(visitor, "https://shop.example/lead-scoring-pricing")
        self._track(visitor, "https://shop.example/lead-scoring-pricing")
        lead = self.env["crm.lead"].create({"name": "Linked later"})
        self.assertEqual(lead.engagement_score, 0)
        lead.visitor_ids = [Command.link(visitor.id)]
        self.Event._cron_rescore_marked_leads()
        self.assertEqual(lead.engagement_score, 25)

    def test_demo_visits_made_once(self):
        """The demo's visitors, made again (the addon installed anew on a
        database that kept them), are left as they are."""
        leads = self.env["crm.lead"]
        for name in ("crm_case_1", "crm_case_17"):
            lead = self.env.ref(f"crm.{name}", raise_if_not_found=False)
            if not lead:
                lead = self.env["crm.lead"].create({"name": f"Demo {name}"})
                self.env["ir.model.data"].create(
                    {
                        "module": "crm",
                        "name": name,
                        "model": "crm.lead",
                        "res_id": lead.id,
                    }
                )
            leads |= lead
        Visitor = self.env["website.visitor"].with_context(active_test=False)
        Visitor._create_demo_lead_visits()
        visitors = Visitor.search([("access_token", "in", [f"{1:032x}", f"{2:032x}"])])
        self.assertEqual(len(visitors), 2)
        self.assertEqual(leads.visitor_ids, visitors)
        tracks = self.env["website.track"].search_count(
            [("visitor_id", "in", visitors.ids)]
        )
        Visitor._create_demo_lead_visits()
        self.assertEqual(
            Visitor.search([("access_token", "in", [f"{1:032x}", f"{2:032x}"])]),
            visitors,
        )
        self.assertEqual(
            self.env["website.track"].search_count(
                [("visitor_id", "in", visitors.ids)]
            ),
            tracks,
        )


@tagged("post_install", "-at_install", "lead_channel_website")
class TestPageVisitOverHttp(PageVisitCommon, HttpCase):
    """A real page view: an HTTP GET of a tracked page, which Odoo records in
    SQL with its visitor (``website.visitor._upsert_visitor``)."""

    # served as by a server without a read-only replica, where Odoo records
    # the page views (with a replica, Odoo 18 serves pages on the replica and
    # records none)
    readonly_enabled = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_up_page_visits()
        view = cls.env["ir.ui.view"].create(
            {
                "name": "Lead scoring pricing",
                "type": "qweb",
                "key": "lead_scoring_website.pricing_test",
                "track": True,
                "arch": '<t t-name="lead_scoring_website.pricing_test">'
                '<t t-call="website.layout"><div id="wrap">Our prices</div></t></t>',
            }
        )
        cls.page = cls.env["website.page"].create(
            {
                "view_id": view.id,
                "url": "/lead-scoring-pricing",
                "website_id": cls.website.id,
                "is_published": True,
                "track": True,
            }
        )
        cls.cron = cls.env.ref("lead_scoring.ir_cron_lead_scoring_events")

    def test_tracked_page_view_rescores_within_a_minute(self):
        # an anonymous visitor (Odoo knows it by its session)
        visitors = self.env["website.visitor"].search([])
        response = self.url_open("/lead-scoring-pricing")
        self.assertEqual(response.status_code, 200)
        visitor = self.env["website.visitor"].search([("id", "not in", visitors.ids)])
        self.assertEqual(len(visitor.website_track_ids), 1)
        lead = self.env["crm.lead"].create(
            {"name": "Reads our prices", "visitor_ids": [Command.link(visitor.id)]}
        )
        self.Event._cron_rescore_marked_leads()
        self.assertEqual(lead.engagement_score, 0, "one visit, two needed")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
        response = self.url_open("/lead-scoring-pricing")
        self.assertEqual(response.status_code, 200)
        # the request only marked the lead and asked for the job at once
        new_triggers = (
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
            - triggers
        )
        self.assertEqual(self.Event.search([]).lead_id, lead)
        self.assertTrue(new_triggers)
        self.assertLessEqual(max(new_triggers.mapped("call_at")), fields.Datetime.now())
        lead.invalidate_recordset()
        self.assertEqual(lead.engagement_score, 0)
        self.Event._cron_rescore_marked_leads()
        lead.invalidate_recordset()
        self.assertEqual(lead.engagement_score, 25)
        self.assertEqual(lead.score_rule_ids, self.rule)
