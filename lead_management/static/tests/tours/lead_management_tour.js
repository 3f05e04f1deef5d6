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
            trigger: ".o_data_row:contains(Tour lead Hà Nội), .o_kanban_record:contains(Tour lead Hà Nội)",
            content: "The lead is displayed",
        },
    ],
});
