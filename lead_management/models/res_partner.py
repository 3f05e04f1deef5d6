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
            partner.phone_normalized = self._phone_key(
                partner.phone, partner.country_id
            )
            partner.mobile_normalized = self._phone_key(
                partner.mobile, partner.country_id
            )

    @api.model
    def _phone_key(self, number, country=None):
        """The one form in which phone numbers of customers and leads are
        compared (returning leads, duplicate customers): E.164 (+84912345678),
        read in ``country``, else in the current company's country; False when
        the number cannot be read."""
        if not number:
            return False
        return self.browse()._phone_format(
            number=number,
            country=country or self.env.company.country_id,
            force_format="E164",
        )
