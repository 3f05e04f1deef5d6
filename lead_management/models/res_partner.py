from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    phone_normalized = fields.Char(
        compute="_compute_phone_normalized",
        store=True,
        index="btree_not_null",
        help="Phone in international E.164 form (+84912345678), used to recognize "
        "returning customers whatever way the number was typed.",
    )
    mobile_normalized = fields.Char(
        compute="_compute_phone_normalized",
        store=True,
        index="btree_not_null",
    )

    @api.depends("phone", "mobile", "country_id")
    def _compute_phone_normalized(self):
        for partner in self:
            partner.phone_normalized = partner._phone_normalize_number(partner.phone)
            partner.mobile_normalized = partner._phone_normalize_number(partner.mobile)

    def _phone_normalize_number(self, number):
        if not number:
            return False
        country = self.country_id or self.env.company.country_id
        return self._phone_format(number=number, country=country, force_format="E164")
