/** @odoo-module **/
/* The website's contact form (website_crm) filled in and sent by a visitor
   from Hồ Chí Minh City: lead_conversion/tests/test_channel_website.py */

import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("lead_channel_website_contact_form", {
    url: "/contactus",
    steps: () => [
        {
            content: "Name",
            trigger: "form#contactus_form input[name=contact_name]",
            run: "edit Võ Thị Thu",
        },
        {
            content: "Phone",
            trigger: "form#contactus_form input[name=phone]",
            run: "edit 0283 822 1234",
        },
        {
            content: "Email",
            trigger: "form#contactus_form input[name=email_from]",
            run: "edit thu.vo@hoasen.example.vn",
        },
        {
            content: "Company",
            trigger: "form#contactus_form input[name=partner_name]",
            run: "edit Công ty TNHH Hoa Sen",
        },
        {
            content: "ZIP code of Hồ Chí Minh City",
            trigger: "form#contactus_form input[name=zip]",
            run: "edit 700000",
        },
        {
            content: "Subject",
            trigger: "form#contactus_form input[name=name]",
            run: "edit Báo giá CRM cho 15 người",
        },
        {
            content: "Question",
            trigger: "form#contactus_form textarea[name=description]",
            run: "edit Chúng tôi cần triển khai trong quý này.",
        },
        {
            content: "Send",
            trigger: "form#contactus_form .s_website_form_send",
            run: "click",
        },
        {
            content: "Thank-you page",
            trigger: "#wrap:has(h1:contains('Thank You!'))",
        },
    ],
});
