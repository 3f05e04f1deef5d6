from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    min_score = fields.Integer(
        string="Minimum Score",
        default=0,
        help="Only leads whose score reaches this minimum are assigned to this team.",
    )
