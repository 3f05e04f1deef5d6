import logging
import re
import unicodedata
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.lead_management.models.crm_lead import BANT_FIELDS
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Score of each duplicate rule: the higher, the more certain the match.
MATCH_SCORES = {"partner": 100, "vat": 40, "email": 30, "phone": 30, "name": 10}
# rules reliable enough for automatic matching (crm's ``email_only``)
EXACT_MATCHES = {"partner", "email", "phone", "vat"}
#: the conversion record of a lead: set by a conversion only
CONVERSION_FIELDS = ("converted_by_id", "conversion_partner_ids")
#: marks the writes of a conversion in the context (``lead_conversion_write``),
#: the only writes that may set ``CONVERSION_FIELDS``: a Python object, which
#: no RPC client can put in a context
CONVERSION_WRITE = object()
#: marks, in the context (``lead_conversion_gate``), a conversion whose
#: qualification gate was already applied by its caller (crm's dialog, which
#: has its own override checkbox and logs the override in its conversion
#: message); a Python object, which no RPC client can put in a context
GATE_APPLIED = object()
#: the values of a write that make a lead an opportunity: dropped for the
#: unqualified leads an automated flow keeps as leads
CONVERSION_VALUES = ("type", "date_conversion")


def _build_accent_map():
    """Map every accented Latin letter (Vietnamese included) to its base letter."""
    source, target = [], []
    for code in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            source.append(char)
            target.append(base)
    for char, base in (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D")):
        source.append(char)
        target.append(base)
    return "".join(source), "".join(target)


ACCENTED, UNACCENTED = _build_accent_map()
ACCENT_TABLE = str.maketrans(ACCENTED, UNACCENTED)


def normalize_company_name(name):
    """Lower-case, accent-free, single-spaced name; the SQL twin is in
    ``_search_duplicate_names``."""
    if not name:
        return False
    return " ".join(name.translate(ACCENT_TABLE).lower().split()) or False


def normalize_vat(vat):
    """Tax code without spaces, dots or dashes, upper case."""
    if not vat:
        return False
    return re.sub(r"[\W_]+", "", vat).upper() or False


class CrmLead(models.Model):
    _inherit = "crm.lead"

    vat = fields.Char(
        string="Tax ID",
        help="Tax code of the lead's company, copied to the customer created at "
        "conversion and used to find existing customers.",
    )
    converted_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The user who converted this lead.",
    )
    conversion_partner_ids = fields.Many2many(
        "res.partner",
        "crm_lead_conversion_partner_rel",
        "lead_id",
        "partner_id",
        string="Conversion Customers",
        readonly=True,
        copy=False,
        help="The company and/or contact the conversion created or linked.",
    )

    @api.model
    def _get_protected_fields(self):
        protected = super()._get_protected_fields()
        if self.env.context.get("lead_conversion_write") is CONVERSION_WRITE:
            return protected
        return protected + CONVERSION_FIELDS

    def write(self, vals):
        """A lead becoming an opportunity meets the qualification gate
        (``_apply_qualification_gate``), whatever writes its type: the form,
        a list, an RPC client, an import, a server action."""
        if vals.get("type") != "opportunity" or self._gate_applied():
            return super().write(vals)
        converting = self.filtered(lambda lead: lead.type == "lead")
        if not converting:
            return super().write(vals)
        if {*BANT_FIELDS, "company_id"} & set(vals):
            # the qualification written with the type (an import row) counts
            super().write(
                {key: val for key, val in vals.items() if key not in CONVERSION_VALUES}
            )
            vals = {key: val for key, val in vals.items() if key in CONVERSION_VALUES}
        kept = converting._apply_qualification_gate()
        if kept:
            kept._log_kept_as_lead()
            rest = {
                key: val for key, val in vals.items() if key not in CONVERSION_VALUES
            }
            if rest:
                super(CrmLead, kept).write(rest)
            return super(CrmLead, self - kept).write(vals)
        return super().write(vals)

    # ------------------------------------------------------------
    # CONVERSION (crm hooks)
    # ------------------------------------------------------------

    def convert_opportunity(self, partner, user_ids=False, team_id=False):
        # the conversion records who converted (_convert_opportunity_data)
        leads = self.with_context(lead_conversion_write=CONVERSION_WRITE)
        if self._gate_applied():
            return super(CrmLead, leads).convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )
        # crm converts the active leads that are not won
        converting = leads.filtered(
            lambda lead: lead.type == "lead" and lead.active and lead.probability < 100
        )
        # lead_scoring's assignment for a team keeping its leads as leads
        # converts none of them: the gate does not apply
        assignment_kept = getattr(converting, "_get_assignment_kept_leads", None)
        if assignment_kept:
            converting -= assignment_kept()
        kept = converting._apply_qualification_gate()
        leads = leads.with_context(lead_conversion_gate=GATE_APPLIED)
        if not kept:
            return super(CrmLead, leads).convert_opportunity(
                partner, user_ids=user_ids, team_id=team_id
            )
        # the kept leads are assigned as the others, in crm's round robin
        super(CrmLead, leads - kept).convert_opportunity(partner, team_id=team_id)
        if user_ids or team_id:
            leads._handle_salesmen_assignment(user_ids=user_ids, team_id=team_id)
        return True

    def _convert_opportunity_data(self, customer, team_id=False):
        """Record who converted the lead, for every conversion (crm's own too)."""
        values = super()._convert_opportunity_data(customer, team_id=team_id)
        values["converted_by_id"] = self.env.uid
        return values

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(
            partner_name, is_company=is_company, parent_id=parent_id
        )
        values["company_id"] = self.company_id.id
        if is_company and self.vat:
            values["vat"] = self.vat
        return values

    def _find_matching_partner(self, email_only=False):
        """crm's exact matches (the lead's customer, the same email) first, then
        the duplicate customers found by email, phone, tax ID and company name,
        then crm's search by name; ``email_only`` keeps the exact rules only.
        Customers of another company than the lead's are never proposed."""
        partner = super()._find_matching_partner(email_only=True)
        if not partner or self._is_other_company_partner(partner):
            rules = EXACT_MATCHES if email_only else None
            matches = self._get_duplicate_partners(rules=rules)[self.id]
            partner = matches[0][0] if matches else partner.browse()
        if not partner and not email_only:
            partner = super()._find_matching_partner()
            if self._is_other_company_partner(partner):
                partner = partner.browse()
        return partner

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _is_other_company_partner(self, partner):
        """Whether ``partner`` belongs to another company than the lead: never
        proposed as its customer."""
        self.ensure_one()
        return bool(partner.company_id) and partner.company_id != self.company_id

    def _gate_applied(self):
        """Whether the caller already applied the qualification gate to this
        conversion (see ``GATE_APPLIED``)."""
        return self.env.context.get("lead_conversion_gate") is GATE_APPLIED

    def _get_unqualified_leads(self):
        """The leads the qualification gate stops: leads (not opportunities)
        of a company converting qualified leads only, below its BANT
        threshold."""
        return self.filtered(
            lambda lead: (
                lead.type == "lead"
                and not lead.is_qualified
                and (
                    lead.company_id or self.env.company
                ).conversion_requires_qualification
            )
        )

    def _get_qualification_error(self):
        """The refusal of a conversion of these unqualified leads, naming each
        lead, its BANT score and what it lacks (crm's dialog and every other
        path give the same)."""
        return UserError(
            self.env._(
                "Nothing was converted. Only qualified leads can be converted; "
                "complete their BANT qualification first:\n%(leads)s",
                leads="\n".join(
                    f"- {line}" for line in self._get_qualification_summary()
                ),
            )
        )

    def _apply_qualification_gate(self):
        """The company's ``conversion_requires_qualification`` for these leads
        about to become opportunities, the same on every path but crm's dialog
        (which applies it itself, see ``GATE_APPLIED``):

        - automated flows (the assignment cron, a ``sudo()`` of crm's): the
          unqualified leads stay leads, returned to the caller;
        - a Sales Administrator converts them, the override logged in each
          lead's chatter (who, the BANT score then);
        - anybody else is refused, naming the leads and what they lack.

        :return: the leads to keep as leads
        """
        unqualified = self._get_unqualified_leads()
        if not unqualified or self.env.su:
            return unqualified
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise unqualified._get_qualification_error()
        unqualified._log_qualification_override()
        return self.browse()

    def _log_qualification_override(self):
        """Log in each lead's chatter that the acting Sales Administrator
        converts it unqualified, with its BANT score (the text crm's dialog
        puts in its conversion message)."""
        summaries = self._get_qualification_summary()
        self._message_log_with_view(
            "lead_conversion.crm_lead_message_qualification_override",
            render_values={"overridden": dict(zip(self.ids, summaries, strict=True))},
        )

    def _log_kept_as_lead(self):
        """Server code (an automated action, a scheduled action, another
        module) wrote the type of these unqualified leads: they stay leads,
        never silently: one line in each lead's chatter with its BANT score
        and a warning in the server log."""
        bodies = {}
        for lead in self:
            threshold = (
                lead.company_id.bant_qualification_threshold
                or self.env.company.bant_qualification_threshold
            )
            bodies[lead.id] = self.env._(
                "Kept as a lead: BANT %(score)s/4, %(threshold)s needed.",
                score=lead.bant_score,
                threshold=threshold,
            )
        _logger.warning(
            "Leads kept as leads (not qualified) by a write of their type: %s",
            ", ".join(f"{lead.id} ({lead.bant_score}/4)" for lead in self),
        )
        self._message_log_batch(bodies=bodies)

    def _get_qualification_summary(self):
        """One line per lead: its BANT score and what it lacks."""
        lines = []
        for lead in self:
            threshold = (
                lead.company_id.bant_qualification_threshold
                or self.env.company.bant_qualification_threshold
            )
            lines.append(
                self.env._(
                    "%(lead)s: BANT score %(score)s/4, %(threshold)s needed; "
                    "missing: %(missing)s",
                    lead=lead.display_name,
                    score=lead.bant_score,
                    threshold=threshold,
                    missing=", ".join(lead._get_bant_missing_criteria()),
                )
            )
        return lines

    def _get_conversion_refusals(self, keep_leads=False):
        """{lead: why it cannot be converted} for the leads that are won,
        lost, archived or already converted (``keep_leads``: converted into
        a customer, the lead staying a lead)."""
        refusals = {}
        for lead in self:
            if lead.type == "opportunity":
                reason = self.env._("%(lead)s is already an opportunity")
            elif keep_leads and lead.converted_by_id:
                reason = self.env._("%(lead)s was already converted")
            elif lead.probability == 100 or lead.stage_id.is_won:
                reason = self.env._("%(lead)s is won")
            elif not lead.active and not lead.probability:
                reason = self.env._("%(lead)s is lost")
            elif not lead.active:
                reason = self.env._("%(lead)s is archived")
            else:
                continue
            refusals[lead] = reason % {"lead": lead.display_name}
        return refusals

    def _lock_for_conversion(self):
        """Lock the leads for this transaction so that two users converting the
        same lead cannot both succeed; re-read what a concurrent conversion may
        have changed. ``NO KEY UPDATE`` does not wait for transactions that
        merely reference the leads (e.g. another wizard being opened)."""
        if not self:
            return
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM crm_lead WHERE id IN %s "
                        "FOR NO KEY UPDATE NOWAIT",
                        tuple(self.ids),
                    )
                )
        except pg_errors.LockNotAvailable:
            raise UserError(
                self.env._(
                    "Another user is converting or editing these leads right now. "
                    "Please try again in a moment."
                )
            ) from None
        self.invalidate_recordset()

    def _add_conversion_partners(self, partners_by_lead):
        """Add the customers created or linked to ``conversion_partner_ids``,
        in one statement for the whole batch.

        :param partners_by_lead: {lead_id: res.partner recordset}
        """
        pairs = [
            (lead_id, partner_id)
            for lead_id, partners in partners_by_lead.items()
            for partner_id in partners.ids
        ]
        if not pairs:
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO crm_lead_conversion_partner_rel (lead_id, partner_id) "
                "SELECT * FROM unnest(%s::int[], %s::int[]) ON CONFLICT DO NOTHING",
                [lead_id for lead_id, __ in pairs],
                [partner_id for __, partner_id in pairs],
            )
        )
        self.browse(partners_by_lead).invalidate_recordset(["conversion_partner_ids"])

    def _get_duplicate_partners(self, rules=None):
        """Existing customers matching each lead, best first: its own customer,
        then the same tax ID, normalized email, phone (lead_management's phone
        key, so any national or international form) and company name ignoring
        case and accents. Customers of another company are left out.

        One query per rule for the whole batch, whatever the number of leads or
        candidates.

        :param rules: names of the rules to apply (see ``MATCH_SCORES``), all
          by default
        :return: {lead_id: [(partner, score, set of rule names)]}
        """
        rules = set(MATCH_SCORES) if rules is None else set(rules)
        Partner = self.env["res.partner"]
        found = defaultdict(lambda: defaultdict(set))  # lead id -> partner id -> rules
        searches = []
        if "email" in rules:
            emails = {lead.id: {lead.email_normalized} - {False} for lead in self}
            searches.append(("email", emails, self._search_duplicate_emails))
        if "phone" in rules:
            searches.append(
                ("phone", self._get_phone_keys(), self._search_duplicate_phones)
            )
        if "vat" in rules:
            vats = {lead.id: {normalize_vat(lead.vat)} - {False} for lead in self}
            searches.append(("vat", vats, self._search_duplicate_vats))
        if "name" in rules:
            names = {
                lead.id: {normalize_company_name(lead.partner_name)} - {False}
                for lead in self
            }
            searches.append(("name", names, self._search_duplicate_names))
        for rule, keys_by_lead, search in searches:
            all_keys = set().union(*keys_by_lead.values())
            if not all_keys:
                continue
            index = defaultdict(set)
            for partner_id, keys in search(all_keys).items():
                for key in keys:
                    index[key].add(partner_id)
            for lead_id, keys in keys_by_lead.items():
                for key in keys & index.keys():
                    for partner_id in index[key]:
                        found[lead_id][partner_id].add(rule)
        if "partner" in rules:
            for lead in self:
                if lead.partner_id:
                    found[lead.id][lead.partner_id.id].add("partner")
        partners = Partner.browse(
            {pid for matches in found.values() for pid in matches}
        )
        partners.fetch(["company_id"])
        result = {}
        for lead in self:
            candidates = []
            for partner_id, matched in found.get(lead.id, {}).items():
                partner = Partner.browse(partner_id)
                if lead._is_other_company_partner(partner):
                    continue
                score = sum(MATCH_SCORES[rule] for rule in matched)
                candidates.append((partner, score, matched))
            candidates.sort(key=lambda item: (-item[1], -item[0].id))
            result[lead.id] = candidates
        return result

    def _search_duplicate_emails(self, emails):
        """{partner_id: {normalized email}} for partners with these emails."""
        partners = self.env["res.partner"].search_fetch(
            [("email_normalized", "in", list(emails))], ["email_normalized"]
        )
        return {partner.id: {partner.email_normalized} for partner in partners}

    def _search_duplicate_phones(self, phone_keys):
        """{partner_id: {phone keys}} for partners with one of these phones."""
        partners = self.env["res.partner"].search_fetch(
            [
                "|",
                ("phone_normalized", "in", list(phone_keys)),
                ("mobile_normalized", "in", list(phone_keys)),
            ],
            ["phone_normalized", "mobile_normalized"],
        )
        return {
            partner.id: {partner.phone_normalized, partner.mobile_normalized} - {False}
            for partner in partners
        }

    def _search_duplicate_vats(self, vats):
        """{partner_id: {normalized vat}} for partners whose tax code matches."""
        Partner = self.env["res.partner"]
        normalized = SQL(
            "upper(regexp_replace(%s, '[^[:alnum:]]', '', 'g'))",
            SQL.identifier(Partner._table, "vat"),
        )
        query = Partner._search([("vat", "!=", False)])
        query.add_where(SQL("%s IN %s", normalized, tuple(vats)))
        rows = self.env.execute_query(
            query.select(SQL.identifier(Partner._table, "id"), normalized)
        )
        return {partner_id: {vat} for partner_id, vat in rows}

    def _search_duplicate_names(self, names):
        """{partner_id: {normalized name}} for companies whose name matches,
        ignoring case, accents and repeated spaces."""
        Partner = self.env["res.partner"]
        normalized = SQL(
            "trim(regexp_replace(lower(translate(%s, %s, %s)), '\\s+', ' ', 'g'))",
            SQL.identifier(Partner._table, "name"),
            ACCENTED,
            UNACCENTED,
        )
        query = Partner._search([("is_company", "=", True)])
        query.add_where(SQL("%s IN %s", normalized, tuple(names)))
        rows = self.env.execute_query(
            query.select(SQL.identifier(Partner._table, "id"), normalized)
        )
        return {partner_id: {name} for partner_id, name in rows}
