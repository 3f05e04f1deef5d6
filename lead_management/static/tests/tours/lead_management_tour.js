import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("lead_management_leads_view", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="crm.crm_menu_root"]',
            content: "Open the CRM app",
            run: "click",
        },
        {
            trigger: '.o_main_navbar [data-menu-xmlid="crm.crm_menu_leads"]',
            content: "Open Leads",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Leads)",
            content: "The Leads view is open",
        },
        {
            trigger: ".o_data_row:contains(Tour lead Hà Nội)",
            content: "The lead is listed with its status",
        },
        {
            trigger: ".o_data_row:contains(Tour lead Hà Nội) .o_data_cell[name=lead_status_id]:contains(Potential)",
        },
    ],
});

registry.category("web_tour.tours").add("lead_management_kanban_drag_status", {
    url: "/odoo/action-crm.crm_lead_all_leads",
    steps: () => [
        {
            trigger: ".o_switch_view.o_kanban",
            content: "Switch to the kanban view",
            run: "click",
        },
        {
            trigger: ".o_kanban_group:has(.o_column_title:contains(Potential)) .o_kanban_record:contains(Kéo thả trạng thái)",
            content: "The lead is in the Potential column",
        },
        {
            trigger: ".o_kanban_group .o_column_title:contains(Interested)",
            content: "Empty statuses are columns too",
        },
        {
            trigger: ".o_kanban_record:contains(Kéo thả trạng thái)",
            content: "Drag the lead to Interested",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Interested)))",
        },
        {
            trigger: ".o_kanban_group:has(.o_column_title:contains(Interested)) .o_kanban_record:contains(Kéo thả trạng thái)",
            content: "The lead is now in the Interested column",
        },
    ],
});

registry.category("web_tour.tours").add("lead_management_bant_qualify", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(BANT)",
            content: "Open the BANT tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=bant_budget] input[data-value=yes]",
            content: "Budget confirmed",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=bant_authority] input[data-value=decision_maker]",
            content: "Talking to the decision maker",
            run: "click",
        },
        {
            trigger: ".o_form_view:not(:has(.badge:visible:contains(Qualified)))",
            content: "Two criteria: not qualified yet",
        },
        {
            trigger: ".o_field_widget[name=bant_need] input[data-value=identified]",
            content: "Need identified",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=bant_score]:contains(3)",
            content: "The BANT score is 3",
        },
        {
            trigger: ".o_form_view .oe_title .badge:visible:contains(Qualified)",
            content: "The lead is qualified",
        },
        {
            trigger: ".o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("lead_management_address_territory", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=zip] input",
            content: "Type the ZIP code",
            run: "edit 115000",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=city] input",
            content: "Type the city",
            run: "edit Hà Nội",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=regional_manager_id]:contains(Ngô Vùng Miền)",
            content: "The territory's regional manager appears",
        },
        {
            trigger: ".o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
        },
    ],
});

registry.category("web_tour.tours").add("lead_management_kanban_drag_qualified_refused", {
    url: "/odoo/action-crm.crm_lead_all_leads",
    steps: () => [
        {
            trigger: ".o_switch_view.o_kanban",
            content: "Switch to the kanban view",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains(Chưa đủ BANT)",
            content: "Drag the unqualified lead to Qualified",
            run: "drag_and_drop (.o_kanban_group:has(.o_column_title:contains(Qualified)))",
        },
        {
            trigger: ".modal:contains(requires a BANT qualification):contains(decision maker not reached)",
            content: "The move is refused, naming what the lead lacks",
        },
        {
            trigger: ".modal .btn-primary",
            content: "Close the message",
            run: "click",
        },
        {
            trigger: ".o_kanban_group:has(.o_column_title:contains(Potential)) .o_kanban_record:contains(Chưa đủ BANT)",
            content: "The lead stays in Potential",
        },
    ],
});

registry.category("web_tour.tours").add("lead_management_lead_analysis", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: '.o_app[data-menu-xmlid="crm.crm_menu_root"]',
            content: "Open the CRM app",
            run: "click",
        },
        {
            trigger: '.o_main_navbar [data-menu-xmlid="crm.crm_menu_report"]',
            content: "Open Reporting",
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="lead_management.crm_lead_analysis_menu"]',
            content: "Open Lead Analysis",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Lead Analysis)",
            content: "Lead Analysis is open",
        },
        {
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
            content: "The status funnel is drawn",
        },
        {
            trigger: ".o_graph_view:not(:has(.o_view_sample_data)):not(:has(.o_view_nocontent))",
            content: "with real leads, not sample data",
        },
        {
            trigger: ".o_switch_view.o_pivot",
            content: "Switch to the pivot",
            run: "click",
        },
        {
            trigger: ".o_pivot th.o_pivot_measure_row:contains(Conversion Rate (%))",
            content: "Leads and conversion rate by territory",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour analysis territory)",
            content: "The territory of the tour's leads is a row",
        },
        {
            trigger: ".o_pivot tr:has(.o_pivot_header_cell_closed:contains(Tour analysis territory)) td:last-child:contains(50.0)",
            content: "Half of its leads are converted",
        },
    ],
});
