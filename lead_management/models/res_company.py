from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    bant_qualification_threshold = fields.Integer(
        string="BANT Qualification Threshold",
        default=3,
        help="Number of BANT criteria (budget, authority, need, timeline) a lead "
        "must meet to be qualified.",
    )

    @api.constrains("bant_qualification_threshold")
    def _check_bant_qualification_threshold(self):
        for company in self:
            if not 1 <= company.bant_qualification_threshold <= 4:
                raise ValidationError(
                    self.env._(
                        "The BANT qualification threshold of %(company)s must be "
                        "between 1 and 4 (got %(value)s).",
                        company=company.name,
                        value=company.bant_qualification_threshold,
                    )
                )
