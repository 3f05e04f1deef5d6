from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    bant_qualification_threshold = fields.Integer(
        related="company_id.bant_qualification_threshold",
        readonly=False,
    )
