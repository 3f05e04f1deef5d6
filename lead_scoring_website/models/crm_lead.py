from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def write(self, vals):
        res = super().write(vals)
        # a visitor linked to a lead brings the pages it visited before
        if "visitor_ids" in vals and "page_visit" in self._get_scoring_event_types():
            self.env["crm.lead.scoring.event"].sudo()._mark_leads(self.ids)
        return res
