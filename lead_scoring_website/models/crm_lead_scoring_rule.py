from odoo import api, models
from odoo.tools import SQL


class CrmLeadScoringRule(models.Model):
    _inherit = "crm.lead.scoring.rule"

    @api.model
    def _get_scoring_event_rows(self, event_type):
        """The pages visited: the page views (``website.track``) of the
        lead's website visitors (``crm.lead.visitor_ids``)."""
        if event_type != "page_visit":
            return super()._get_scoring_event_rows(event_type)
        return SQL(
            """SELECT r.crm_lead_id AS lead_id, t.visit_datetime AS event_date,
                      t.url AS url, NULL::int AS activity_type_id
                 FROM crm_lead_website_visitor_rel r
                 JOIN website_track t ON t.visitor_id = r.website_visitor_id"""
        )

    @api.model
    def _get_scoring_event_model(self, event_type):
        if event_type == "page_visit":
            return "website.track"
        return super()._get_scoring_event_model(event_type)
