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

    def test_new_and_returning_columns_titled(self):
        """The pivot's columns by New or Returning are titled New and
        Returning (a boolean would show Yes and No), in Vietnamese too."""
        customer = self.env["res.partner"].create(
            {"name": "Khách cũ", "email": "cu@khach.vn"}
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = create_date - interval '1 day'"
            " WHERE id = %s",
            [customer.id],
        )
        self.env.invalidate_all()
        returning = self.env["crm.lead"].create(
            {"name": "Quay lại", "email_from": "CU@khach.vn"}
        )
        self.assertEqual(returning.new_or_returning, "returning")
        self.assertEqual(set(self.leads.mapped("new_or_returning")), {"new"})
        domain = [("id", "in", (self.leads | returning).ids)]
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env["ir.module.module"]._load_module_terms(
            ["lead_management"], ["vi_VN"], overwrite=True
        )
        for lang, titles in (
            ("en_US", {"New": 4, "Returning": 1}),
            ("vi_VN", {"Mới": 4, "Khách quay lại": 1}),
        ):
            Lead = self.env["crm.lead"].with_context(lang=lang)
            groups = Lead.read_group(domain, ["new_or_returning"], ["new_or_returning"])
            field = Lead.fields_get(["new_or_returning"])["new_or_returning"]
            labels = dict(field["selection"])
            self.assertEqual(
                {
                    labels[group["new_or_returning"]]: group["new_or_returning_count"]
                    for group in groups
                },
                titles,
            )
        # follows the returning flag
        returning.email_from = "moi@khach.vn"
        self.assertEqual(returning.new_or_returning, "new")

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
        self.assertEqual(
            pivot.xpath("//field[@type='col']/@name"), ["new_or_returning"]
        )
        self.assertEqual(
            pivot.xpath("//field[@type='measure']/@name"), ["conversion_rate"]
        )
        self.assertEqual(pivot.get("display_quantity"), "1")
        search = etree.fromstring(views["search"]["arch"])
        group_bys = search.xpath("//filter[contains(@context, 'group_by')]/@context")
        for fname in (
            "lead_status_id",
            "territory_id",
            "new_or_returning",
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
