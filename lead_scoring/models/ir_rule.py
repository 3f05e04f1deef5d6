from odoo import api, models
from odoo.osv import expression


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _compute_domain(self, model_name, mode="read"):
        """A model naming its lead field in ``_lead_access_field`` (the score
        history) is visible exactly when the lead is: crm.lead's record rules
        for the current user (own, team or all documents, multi-company, and
        any rule added later) apply through that field, as Odoo applies the
        rules of an ``_inherits`` parent. A record rule's domain is evaluated
        as superuser, so ``lead_id.user_id`` in a rule of ours could not reuse
        the lead's rules; copying them would miss the team leader level of
        lead_management and any rule a company adds."""
        domain = super()._compute_domain(model_name, mode)
        field_name = getattr(self.pool[model_name], "_lead_access_field", None)
        if not field_name:
            return domain
        lead_domain = self._compute_domain("crm.lead", mode)
        if not lead_domain:
            return domain
        # archived (lost) leads keep their rows: a condition on ``active``
        # stops the lead search from adding its own ``active = True``
        lead_domain = expression.AND([[("active", "in", [True, False])], lead_domain])
        return expression.AND([domain, [(field_name, "any", lead_domain)]])
