from odoo import api, fields, models
from odoo.tools import SQL, split_every

from ..hooks import add_columns


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

    def _auto_init(self):
        # created empty, then filled for the existing contacts by batches by
        # the install hook (_init_phone_normalized) instead of all at once
        add_columns(self, {"phone_normalized": None, "mobile_normalized": None})
        return super()._auto_init()

    @api.model
    def _init_phone_normalized(self, batch_size=2000):
        """Normalize the phones of the existing contacts. A contact with a
        single number has it in E.164 form already, normalized by mail with the
        same country (``phone_sanitized``): copied in one statement. The
        others are normalized by batches: one query reads a batch, one writes
        it, and the batch leaves the cache."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            UPDATE res_partner
               SET phone_normalized = CASE WHEN NULLIF(mobile, '') IS NULL
                                           THEN phone_sanitized END,
                   mobile_normalized = CASE WHEN NULLIF(phone, '') IS NULL
                                            THEN phone_sanitized END
             WHERE phone_sanitized IS NOT NULL
               AND (NULLIF(phone, '') IS NULL) <> (NULLIF(mobile, '') IS NULL)
            """
        )
        cr.execute(
            """
            SELECT id FROM res_partner
             WHERE (NULLIF(phone, '') IS NOT NULL AND NULLIF(mobile, '') IS NOT NULL)
                OR (phone_sanitized IS NULL
                    AND (NULLIF(phone, '') IS NOT NULL
                         OR NULLIF(mobile, '') IS NOT NULL))
             ORDER BY id
            """
        )
        ids = [row[0] for row in cr.fetchall()]
        Partner = self.with_context(active_test=False)
        for batch in split_every(batch_size, ids, Partner.browse):
            rows = [
                (
                    partner.id,
                    self._phone_key(partner.phone, partner.country_id) or None,
                    self._phone_key(partner.mobile, partner.country_id) or None,
                )
                for partner in batch
            ]
            rows = [row for row in rows if row[1] or row[2]]
            if rows:
                cr.execute(
                    SQL(
                        "UPDATE res_partner partner"
                        " SET phone_normalized = v.phone, mobile_normalized = v.mobile"
                        " FROM (VALUES %s) AS v (id, phone, mobile)"
                        " WHERE partner.id = v.id",
                        SQL(", ").join(SQL("(%s, %s, %s)", *row) for row in rows),
                    )
                )
            self.env.invalidate_all()
