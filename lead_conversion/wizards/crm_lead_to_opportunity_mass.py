from odoo import api, models


class Lead2OpportunityMassConvert(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner.mass"

    @api.depends("lead_tomerge_ids")
    def _compute_create_company(self):
        return super()._compute_create_company()

    @api.depends("lead_tomerge_ids")
    def _compute_duplicate_partner_ids(self):
        return super()._compute_duplicate_partner_ids()

    @api.depends("lead_tomerge_ids")
    def _compute_qualification_warning(self):
        return super()._compute_qualification_warning()

    def _get_conversion_leads(self):
        self.ensure_one()
        return self.lead_tomerge_ids

    def _get_refused_leads(self, leads):
        # crm's mass conversion converts the opportunities of the selection
        # again (their customer, salesperson and team): they are not refused
        if any(lead.type == "opportunity" and lead.active for lead in leads):
            return {}
        return super()._get_refused_leads(leads)
