from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lead_fit_grade_a = fields.Integer(
        related="company_id.lead_fit_grade_a", readonly=False
    )
    lead_fit_grade_b = fields.Integer(
        related="company_id.lead_fit_grade_b", readonly=False
    )
    lead_engagement_level_1 = fields.Integer(
        related="company_id.lead_engagement_level_1", readonly=False
    )
    lead_engagement_level_2 = fields.Integer(
        related="company_id.lead_engagement_level_2", readonly=False
    )
