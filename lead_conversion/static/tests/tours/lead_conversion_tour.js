import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_conversion_link_duplicate", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Convert to Opportunity)",
            content: "crm's button converts the lead",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=duplicate_partner_ids] .o_data_row:first:contains(CONG TY TNHH HOA SEN)",
            content: "The existing customer with the same phone is listed first",
        },
        {
            trigger: ".modal .o_field_widget[name=duplicate_partner_ids] .o_list_table:not(:has(tbody > tr:not(.o_data_row) > td[colspan]:not(.o_field_x2many_list_row_add)))",
            content: "The list of matching customers has no blank filler rows",
        },
        {
            trigger: ".modal .o_field_widget[name=action] input[data-value=exist]:checked",
            content: "crm's wizard links the lead to an existing customer",
        },
        {
            trigger: ".modal .o_field_widget[name=partner_id] input:value(CONG TY TNHH HOA SEN)",
            content: "The customer found by phone is chosen",
        },
        {
            trigger: ".modal .o_field_widget[name=create_contact] input:checked",
            content: "The lead's contact will be added under it",
        },
        {
            trigger: ".modal-footer button[name=action_apply]",
            content: "Create the opportunity",
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
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Convert to opportunities)",
            content: "crm's mass conversion",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=duplicated_lead_ids] .o_list_table:not(:has(tbody > tr:not(.o_data_row) > td[colspan]:not(.o_field_x2many_list_row_add)))",
            content: "crm's list of duplicated leads has no blank filler rows",
        },
        {
            trigger: ".modal .o_field_widget[name=create_company] input:checked",
            content: "The companies will be created",
        },
        {
            trigger: ".modal .o_field_widget[name=create_opportunity] input:checked",
            content: "and the opportunities",
        },
        {
            trigger: ".modal-footer button[name=action_mass_convert]",
            content: "Convert",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The wizard is closed",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=stage_id] .o_arrow_button_current",
            content: "crm opens the first opportunity",
        },
    ],
});
