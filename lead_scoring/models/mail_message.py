from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        event_types = self.env["crm.lead"]._get_scoring_event_types()
        if event_types & {"email_received", "email_sent", "activity_done"}:
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(
                message.res_id
                for message in messages
                if message.model == "crm.lead" and message._is_scoring_event()
            )
        return messages

    def unlink(self):
        # a deleted e-mail or activity done no longer counts: its lead is
        # rescored as for a new event
        lead_ids = []
        if self.env["crm.lead"]._get_scoring_event_types() & {
            "email_received",
            "email_sent",
            "activity_done",
        }:
            lead_ids = [
                message.res_id
                for message in self
                if message.model == "crm.lead" and message._is_scoring_event()
            ]
        res = super().unlink()
        if lead_ids:
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(lead_ids)
        return res

    def _is_scoring_event(self):
        """Whether the message may be an event an engagement rule counts: an
        e-mail, a message sent to the followers, an activity done (the exact
        conditions are those of ``crm.lead.scoring.rule._get_scoring_event_rows``)."""
        self.ensure_one()
        return bool(
            self.mail_activity_type_id
            or self.message_type in ("email", "email_outgoing")
            or (self.message_type == "comment" and not self.subtype_id.internal)
        )
