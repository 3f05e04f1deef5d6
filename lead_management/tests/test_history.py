from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import LeadManagementCommon


@tagged("post_install", "-at_install")
class TestHistory(LeadManagementCommon):
    def test_history_action_and_filters(self):
        lead = self.env["crm.lead"].create({"name": "Lịch sử"})
        self.flush_tracking()
        lead.message_post(
            body="Ghi chú nội bộ", subtype_xmlid="mail.mt_note", message_type="comment"
        )
        lead.message_post(
            body="Email gửi khách",
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )
        activity = lead.activity_schedule(
            "mail.mail_activity_data_call", summary="Gọi lại"
        )
        activity.action_feedback(feedback="Đã gọi")
        lead.lead_status_id = self.status_interested
        self.flush_tracking()

        action = lead.action_view_history()
        self.assertEqual(action["res_model"], "mail.message")
        Message = self.env["mail.message"]
        domain = action["domain"]
        self.assertEqual(
            Message.search(domain), lead.message_ids, "all messages of the lead"
        )
        search_view = self.env.ref(
            "lead_management.mail_message_view_search_lead_history"
        )
        filters = {
            node.get("name"): node.get("domain")
            for node in etree.fromstring(search_view.arch).iter("filter")
            if node.get("domain")
        }

        def found(name):
            return Message.search(domain + safe_eval(filters[name]))

        self.assertEqual(found("notes").mapped("preview"), ["Ghi chú nội bộ"])
        self.assertEqual(found("emails").mapped("preview"), ["Email gửi khách"])
        self.assertEqual(len(found("activities_done")), 1)
        self.assertIn("Đã gọi", found("activities_done").body)
        changes = found("changes")
        self.assertIn(
            "lead_status_id", changes.tracking_value_ids.field_id.mapped("name")
        )
