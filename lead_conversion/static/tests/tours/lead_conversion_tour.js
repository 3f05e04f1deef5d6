import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_conversion_link_duplicate", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary.o_lead_conversion_button",
            content: "The qualified lead shows a prominent Convert button",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=duplicate_partner_ids] .o_data_row:first:contains(CONG TY TNHH HOA SEN)",
            content: "The existing customer with the same phone is suggested first",
        },
        {
            trigger: ".modal .o_field_widget[name=customer_action] input[data-value=link]",
            content: "Link the lead to the suggested customer",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=partner_id] input:value(CONG TY TNHH HOA SEN)",
            content: "The suggested customer is chosen",
        },
        {
            trigger: ".modal-footer button[name=action_convert]",
            content: "Convert",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The wizard is closed",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=stage_id] .o_arrow_button_current",
            content: "The opportunity is in the pipeline, at its first stage",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Converted into an opportunity)",
            content: "The conversion is in the history",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Khách gọi hỏi giá phần mềm)",
            content: "The lead's earlier history is still there",
        },
    ],
});

registry.category("web_tour.tours").add("lead_conversion_mass", {
    steps: () => [
        {
            trigger: ".o_list_view .o_data_row:contains(Hàng loạt A) .o_list_record_selector input",
            content: "Select the first lead",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Hàng loạt B) .o_list_record_selector input",
            content: "Select the second lead",
            run: "click",
        },
        {
            trigger: ".o_control_panel .o_cp_action_menus button",
            content: "Open the actions",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Convert)",
            content: "Convert the selected leads",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lead_ids] .o_data_row:contains(Hàng loạt B)",
            content: "The wizard lists the selected leads",
        },
        {
            trigger: ".modal .o_field_widget[name=customer_action] input[data-value=create]:checked",
            content: "No matching customer: new customers will be created",
        },
        {
            trigger: ".modal-footer button[name=action_convert]",
            content: "Convert",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb:contains(Converted Leads)",
            content: "The converted leads are listed",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Hàng loạt A)",
        },
    ],
});
