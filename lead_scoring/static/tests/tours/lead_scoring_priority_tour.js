import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_scoring_priority_tour", {
    steps: () => [
        {
            trigger: ".o_data_row:contains(Tour A1 lead)",
            content: "The leads list shows both leads",
        },
        {
            trigger: ".o_data_row:contains(Tour C3 lead)",
        },
        {
            trigger:
                ".o_data_row:contains(Tour A1 lead) .o_data_cell[name=lead_priority] .badge:contains(/^A1$/)",
            content: "The A1 lead's priority shows as a badge",
        },
        {
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            content: "Open the filters",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o_menu_item:contains(A1–A2)",
            content: "Keep the leads to call first",
            run: "click",
        },
        {
            trigger: ".o_facet_value:contains(A1–A2)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:contains(Tour C3 lead)))",
            content: "The C3 lead is filtered out",
        },
        {
            trigger: ".o_data_row:contains(Tour A1 lead)",
            content: "The A1 lead stays",
        },
    ],
});
