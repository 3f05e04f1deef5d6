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
        """As crm's mass conversion, the won, lost and archived leads and the
        opportunities of the selection are left as they are; it stops only
        when none of the leads can be converted."""
        refused = super()._get_refused_leads(leads)
        return refused if len(refused) == len(leads) else {}
