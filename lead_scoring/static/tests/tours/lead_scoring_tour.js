import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("lead_scoring_rule_tour", {
    url: "/odoo/action-lead_scoring.crm_lead_scoring_rule_action?debug=1",
    steps: () => [
        {
            trigger: ".o_list_button_add",
            content: "Create a scoring rule",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            content: "Name the rule",
            run: "edit Tour scoring rule",
        },
        {
            trigger: ".o_field_widget[name=points] input",
            content: "Give it points",
            run: "edit 42",
        },
        {
            trigger: ".o_field_widget[name=domain] textarea",
            content: "Write the domain in the domain editor",
            run: 'edit [("name", "ilike", "Tour scoring lead")]',
        },
        {
            trigger: ".o_field_widget[name=name] input",
            content: "Leave the code editor to apply the domain",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=domain] .o_tree_editor_condition",
            content: "The domain editor shows the condition",
        },
        {
            trigger: "button[name=action_preview_leads] .o_stat_value:contains(/^1$/)",
            content: "The rule counts its matching leads before saving",
        },
        {
            trigger: ".o_form_button_save",
            content: "Save the rule",
            run: "click",
        },
        {
            trigger: ".o_form_saved, .o_form_status_indicator:not(:has(.o_form_button_save:visible))",
        },
        {
            trigger: "button[name=action_preview_leads] .o_stat_value:contains(/^1$/)",
            content: "The saved rule matches one lead",
        },
        {
            trigger: "button[name=action_preview_leads]",
            content: "Preview the matching leads",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour scoring lead) .o_data_cell[name=name]",
            content: "Open the lead",
            run: "click",
        },
        {
            trigger: ".o_lead_score_button .o_stat_value:contains(42)",
            content: "The score is in the lead's header",
        },
        {
            trigger: ".o_notebook .nav-link[name=lead_scoring]",
            content: "Open the Score tab",
            run: "click",
        },
        {
            trigger: ".o_lead_score_rules .o_data_row:contains(Tour scoring rule):contains(42)",
            content: "The breakdown lists the rule and its points",
        },
    ],
});

registry.category("web_tour.tours").add("lead_scoring_evaluation_tour", {
    url: "/odoo/action-lead_scoring.crm_lead_scoring_rule_action",
    steps: () => [
        {
            trigger: "button[name=action_evaluate]",
            content: "Evaluate the rules on the closed leads",
            run: "click",
        },
        {
            trigger: ".o_lead_scoring_ranking_quality_note:contains(50 is a coin toss)",
            content: "The evaluation says what its ranking quality means",
        },
        {
            trigger: ".o_field_widget[name=ranking_quality]",
            content: "The ranking quality of the current points is shown",
        },
        {
            trigger: ".o_notebook .nav-link[name=rules]",
            content: "Open the Rules tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=rule_ids] .o_data_row:contains(Tour big deal)",
            content: "The evaluated rule is listed with its figures",
        },
        {
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb li.breadcrumb-item a",
            content: "Back to the rules",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour big deal) .o_list_record_selector input",
            content: "Select the rule",
            run: "click",
        },
        {
            trigger: ".o_control_panel button[name=action_apply_suggested_points]",
            content: "Apply its suggested points",
            run: "click",
        },
        {
            trigger: ".o_data_row:contains(Tour big deal) .o_data_cell[name=points]:not(:contains(-5))",
            content: "The rule has its new points",
        },
    ],
});

registry.category("web_tour.tours").add("lead_scoring_engagement_rule_tour", {
    url: "/odoo/action-lead_scoring.crm_lead_scoring_rule_action",
    steps: () => [
        {
            trigger: ".o_list_button_add",
            content: "Create a scoring rule",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            content: "Name the rule",
            run: "edit Tour engagement rule",
        },
        {
            trigger: ".o_field_widget[name=rule_type] input[data-value=engagement]",
            content: "An engagement rule: what the lead does",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=event_type] select",
            content: "It counts the e-mails sent to the customer",
            run: 'select "email_sent"',
        },
        {
            trigger: ".o_field_widget[name=points] input",
            content: "Give it points",
            run: "edit 30",
        },
        {
            trigger: ".o_field_widget[name=decay_half_life_days] input",
            content: "Its points halve every 10 days",
            run: "edit 10",
        },
        {
            trigger: ".o_form_button_save",
            content: "Save the rule",
            run: "click",
        },
        {
            trigger: ".o_form_saved, .o_form_status_indicator:not(:has(.o_form_button_save:visible))",
        },
        {
            trigger: "button[name=action_preview_leads] .o_stat_value:contains(/^0$/)",
            content: "No lead was written to yet",
        },
    ],
});

registry.category("web_tour.tours").add("lead_scoring_engagement_message_tour", {
    steps: () => [
        {
            trigger: ".o_lead_score_button .o_stat_value:contains(/^0$/)",
            content: "The lead scores 0",
        },
        {
            trigger: "button:contains(Send message)",
            content: "Write to the customer from the chatter",
            run: "click",
        },
        {
            trigger: ".o-mail-Composer-input",
            content: "Write the e-mail",
            run: "edit Here is our offer",
        },
        {
            trigger: ".o-mail-Composer-send:enabled",
            content: "Send it",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains(Here is our offer)",
            content: "The message is in the chatter",
        },
    ],
});

registry.category("web_tour.tours").add("lead_scoring_engagement_score_tour", {
    steps: () => [
        {
            trigger: ".o_lead_score_button .o_stat_value:contains(/^30$/)",
            content: "The e-mail sent moved the score to 30",
        },
        {
            trigger: ".o_notebook .nav-link[name=lead_scoring]",
            content: "Open the Score tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=engagement_score]:contains(30)",
            content: "30 engagement points",
        },
        {
            trigger: ".o_lead_score_explanation tr:contains(Tour engagement rule):contains(30)",
            content: "The rule gives 30 points today, its latest event beside them",
        },
    ],
});
