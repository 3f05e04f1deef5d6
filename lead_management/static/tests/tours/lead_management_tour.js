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
