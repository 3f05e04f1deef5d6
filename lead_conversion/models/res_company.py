from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    conversion_requires_qualification = fields.Boolean(
        string="Convert Qualified Leads Only",
        default=True,
        help="Converting a lead that does not reach the BANT qualification "
        "threshold is refused, unless a Sales Administrator overrides it.",
    )
