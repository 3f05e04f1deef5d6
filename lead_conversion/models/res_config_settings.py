from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    conversion_requires_qualification = fields.Boolean(
        related="company_id.conversion_requires_qualification",
        readonly=False,
    )
