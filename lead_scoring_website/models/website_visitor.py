from odoo import api, models
from odoo.tools import SQL


def leads_of_visitors(visitor_ids):
    """SQL selecting the leads of the website visitors ``visitor_ids``."""
    return SQL(
        "SELECT crm_lead_id FROM crm_lead_website_visitor_rel"
        " WHERE website_visitor_id = ANY(%s)",
        list(visitor_ids),
    )


class WebsiteVisitor(models.Model):
    _inherit = "website.visitor"

    def _upsert_visitor(self, access_token, force_track_values=None):
        """A page view of a tracked page, inserted in SQL with its visitor:
        mark the visitor's leads (one insert, nothing for a visitor without
        lead) for a rescoring within a minute, outside this request."""
        result = super()._upsert_visitor(access_token, force_track_values)
        if force_track_values and "page_visit" in (
            self.env["crm.lead"]._get_scoring_event_types()
        ):
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(
                leads_of_visitors([result[0]])
            )
        return result


class WebsiteTrack(models.Model):
    _inherit = "website.track"

    @api.model_create_multi
    def create(self, vals_list):
        """Page views created through the ORM (``website.visitor._add_tracking``):
        mark their visitors' leads as ``_upsert_visitor`` does."""
        tracks = super().create(vals_list)
        if "page_visit" in self.env["crm.lead"]._get_scoring_event_types():
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(
                leads_of_visitors(set(tracks.visitor_id.ids))
            )
        return tracks
