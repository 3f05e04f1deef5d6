from datetime import timedelta

from odoo import Command, api, models
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

    @api.model
    def _create_demo_lead_visits(self):
        """Demo data: a website visitor for some of crm's demo leads, with
        page views over the past days (the pricing page among them), then
        those leads rescored. A visitor made by an earlier install (e.g.
        before an uninstall of this addon) is left as it is."""
        website = self.env["website"].search([], limit=1)
        if not website:
            return
        base = website.get_base_url()
        now = self.env.cr.now()
        visits = {
            "crm.crm_case_1": [("/pricing", 0.2), ("/pricing", 1), ("/", 1)],
            "crm.crm_case_17": [("/pricing", 2), ("/contactus", 2)],
            "crm.crm_case_2": [("/pricing", 6), ("/", 6)],
            "crm.crm_case_18": [("/", 3), ("/aboutus", 3)],
        }
        leads = self.env["crm.lead"]
        for index, (xmlid, pages) in enumerate(visits.items(), start=1):
            lead = self.env.ref(xmlid, raise_if_not_found=False)
            token = f"{index:032x}"
            if not lead or self.with_context(active_test=False).search_count(
                [("access_token", "=", token)], limit=1
            ):
                continue
            visitor = self.create({"access_token": token, "website_id": website.id})
            self.env["website.track"].create(
                [
                    {
                        "visitor_id": visitor.id,
                        "url": base + path,
                        "visit_datetime": now - timedelta(days=days),
                    }
                    for path, days in pages
                ]
            )
            lead.visitor_ids = [Command.link(visitor.id)]
            leads |= lead
        self.env["crm.lead"]._scoring_rescore(scope_domain=[("id", "in", leads.ids)])

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
