from odoo import models


class CrmStage(models.Model):
    _inherit = "crm.stage"

    def write(self, vals):
        """A stage that stops being a won stage brings its leads back among
        the scored ones (see ``crm.lead._get_scoring_scope_domain``) without
        a write of theirs: they are rescored. A stage becoming won takes its
        leads out, which keeps their scores as they were."""
        if "is_won" not in vals:
            return super().write(vals)
        won_before = self.filtered("is_won")
        res = super().write(vals)
        reopened = won_before.filtered(lambda stage: not stage.is_won)
        if reopened:
            self.env["crm.lead.scoring.job"]._scoring_request_rescore(
                domain=[("stage_id", "in", reopened.ids)]
            )
        return res
