from lxml import etree

from odoo.tests import tagged, users

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestLeadAnalysis(LeadManagementCommon):
    """Reporting > Lead Analysis: leads by status, territory, origin, team and
    new or returning, with their conversion rate."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        cls.source = cls.env["utm.source"].create({"name": "Hội chợ"})
        values = {"user_id": cls.user_all_leads.id, "source_id": cls.source.id}
        cls.lead_hn = Lead.create(dict(values, name="HN 1", state_id=cls.state_hn.id))
        cls.lead_hn_customer = Lead.create(
            dict(
                values,
                name="HN 2",
                state_id=cls.state_hn.id,
                lead_status_id=cls.status_customer.id,
            )
        )
        cls.opportunity_sg = Lead.create(
            dict(values, name="SG 1", state_id=cls.state_sg.id, type="opportunity")
        )
        cls.lead_sg = Lead.create(dict(values, name="SG 2", state_id=cls.state_sg.id))
        cls.leads = (
            cls.lead_hn | cls.lead_hn_customer | cls.opportunity_sg | cls.lead_sg
        )

    def test_conversion_rate_of_a_lead(self):
        self.assertEqual(self.lead_hn.conversion_rate, 0)
        self.assertEqual(self.lead_hn_customer.conversion_rate, 100)
        self.assertEqual(self.opportunity_sg.conversion_rate, 100)
        # follows the status and the type
        self.lead_hn.lead_status_id = self.status_customer
        self.assertEqual(self.lead_hn.conversion_rate, 100)
        self.lead_hn.lead_status_id = self.status_interested
        self.assertEqual(self.lead_hn.conversion_rate, 0)
        # a Sales Administrator: with lead_conversion installed, an automated
        # flow (the superuser) keeps an unqualified lead a lead
        self.lead_sg.with_user(self.user_manager).convert_opportunity(
            self.env["res.partner"]
        )
        self.assertEqual(self.lead_sg.type, "opportunity")
        self.assertEqual(self.lead_sg.conversion_rate, 100)

    @users("lm_all_leads")
    def test_leads_and_conversion_rate_by_territory_and_source(self):
        Lead = self.env["crm.lead"]
        domain = [("id", "in", self.leads.ids)]
        by_territory = {
            territory.name: (count, rate)
            for territory, count, rate in Lead._read_group(
                domain, ["territory_id"], ["__count", "conversion_rate:avg"]
            )
        }
        self.assertEqual(
            by_territory, {"Hà Nội": (2, 50.0), "TP. Hồ Chí Minh": (2, 50.0)}
        )
        self.lead_sg.lead_status_id = self.status_customer
        [(source, count, rate)] = Lead._read_group(
            domain, ["source_id"], ["__count", "conversion_rate:avg"]
        )
        self.assertEqual((source.name, count, rate), ("Hội chợ", 4, 75.0))
        funnel = dict(Lead._read_group(domain, ["lead_status_id"], ["__count"]))
        self.assertEqual(funnel[self.status_customer], 2)
        self.assertEqual(funnel[self.status_potential], 2)

    def test_menu_action_and_views(self):
        menu = self.env.ref("lead_management.crm_lead_analysis_menu")
        self.assertEqual(menu.parent_id, self.env.ref("crm.crm_menu_report"))
        self.assertEqual(menu.name, "Lead Analysis")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_management.crm_lead_analysis_action"
        )
        self.assertEqual(action["res_model"], "crm.lead")
        self.assertEqual(action["view_mode"], "graph,pivot,list,form")
        search_view = action["search_view_id"][0]
        views = (
            self.env["crm.lead"]
            .with_user(self.user_salesman)
            .get_views([*action["views"], (search_view, "search")])["views"]
        )
        graph = etree.fromstring(views["graph"]["arch"])
        self.assertEqual(graph.xpath("//field/@name"), ["lead_status_id"])
        pivot = etree.fromstring(views["pivot"]["arch"])
        self.assertEqual(pivot.xpath("//field[@type='row']/@name"), ["territory_id"])
        self.assertEqual(pivot.xpath("//field[@type='col']/@name"), ["is_returning"])
        self.assertEqual(
            pivot.xpath("//field[@type='measure']/@name"), ["conversion_rate"]
        )
        self.assertEqual(pivot.get("display_quantity"), "1")
        search = etree.fromstring(views["search"]["arch"])
        group_bys = search.xpath("//filter[contains(@context, 'group_by')]/@context")
        for fname in (
            "lead_status_id",
            "territory_id",
            "is_returning",
            "team_id",
            "source_id",
            "medium_id",
            "campaign_id",
        ):
            self.assertTrue(
                any(f"'{fname}'" in context for context in group_bys), fname
            )
        # every lead and opportunity, the lost ones included
        self.assertIn("'search_default_filter_inactive': 1", action["context"])
        self.assertIn("'search_default_filter_active': 1", action["context"])

    def test_analysis_in_vietnamese(self):
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env["ir.module.module"]._load_module_terms(
            ["lead_management"], ["vi_VN"], overwrite=True
        )
        env_vi = self.env(context=dict(self.env.context, lang="vi_VN"))
        self.assertEqual(
            env_vi.ref("lead_management.crm_lead_analysis_menu").name, "Phân tích lead"
        )
        self.assertEqual(
            env_vi["crm.lead"].fields_get(["conversion_rate"], ["string"])[
                "conversion_rate"
            ]["string"],
            "Tỷ lệ chuyển đổi (%)",
        )
