from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    converted_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="The user who converted this lead.",
    )

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        leads = self.filtered(lambda lead: lead.type == "lead")
        res = super().convert_opportunity(partner, user_ids=user_ids, team_id=team_id)
        leads.write({"converted_by_id": self.env.uid})
        return res
