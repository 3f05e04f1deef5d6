import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ZIP_PREFIX_RE = re.compile(r"^[0-9A-Z-]{1,10}$")


class CrmTerritory(models.Model):
    _name = "crm.territory"
    _description = "Sales Territory"
    _parent_store = True
    _order = "complete_name, id"
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name", "name", "code"]
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    code = fields.Char()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    manager_id = fields.Many2one(
        "res.users",
        string="Regional Manager",
        domain="[('share', '=', False)]",
        check_company=True,
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        check_company=True,
        help="Leads of this territory without a sales team get this team.",
    )
    parent_id = fields.Many2one(
        "crm.territory",
        string="Parent Territory",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("crm.territory", "parent_id", string="Sub-territories")
    country_ids = fields.Many2many("res.country", string="Countries")
    state_ids = fields.Many2many("res.country.state", string="States / Provinces")
    zip_prefixes = fields.Char(
        string="ZIP Prefixes",
        help="Comma-separated beginnings of ZIP codes, e.g. 10, 11, 12. The longest "
        "matching prefix wins.",
    )
    zip_prefix_warning = fields.Char(compute="_compute_zip_prefix_list")
    lead_count = fields.Integer(compute="_compute_lead_count")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "The territory code must be unique per company.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for territory in self:
            if territory.parent_id:
                territory.complete_name = (
                    f"{territory.parent_id.complete_name} / {territory.name}"
                )
            else:
                territory.complete_name = territory.name

    @api.depends("zip_prefixes")
    def _compute_zip_prefix_list(self):
        for territory in self:
            ignored = territory._split_zip_prefixes()[1]
            territory.zip_prefix_warning = (
                self.env._(
                    "Ignored ZIP prefixes (only letters, digits and dashes): %s",
                    ", ".join(ignored),
                )
                if ignored
                else False
            )

    def _compute_lead_count(self):
        counts = dict(
            self.env["crm.lead"]._read_group(
                [("territory_id", "in", self.ids)], ["territory_id"], ["__count"]
            )
        )
        for territory in self:
            territory.lead_count = counts.get(territory, 0)

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._(
                    "A territory cannot be its own parent, directly or through "
                    "its sub-territories."
                )
            )

    def write(self, vals):
        if vals.get("parent_id"):
            parent = self.browse(vals["parent_id"])
            ancestors = parent | self.search([("id", "parent_of", parent.id)])
            if ancestors & self:
                raise ValidationError(
                    self.env._(
                        "A territory cannot be its own parent, directly or "
                        "through its sub-territories."
                    )
                )
        return super().write(vals)

    def _split_zip_prefixes(self):
        """Return (valid prefixes, ignored entries) of the ZIP prefix list."""
        valid, ignored = [], []
        for raw in (self.zip_prefixes or "").split(","):
            entry = raw.strip().upper().replace(" ", "")
            if not entry:
                continue
            if ZIP_PREFIX_RE.match(entry):
                valid.append(entry)
            else:
                ignored.append(entry)
        return valid, ignored

    @api.model
    def _normalize_zip(self, zip_code):
        return (zip_code or "").strip().upper().replace(" ", "")

    def _match_leads(self, leads):
        """Return {lead id: territory} for the most specific territory matching
        each lead's address: longest ZIP prefix, else state, else country.

        Territories are loaded once for the whole batch; no query per lead.
        """
        companies = leads.company_id | self.env.company
        territories = self.search(
            [("company_id", "in", companies.ids + [False])]
        ).sorted(lambda t: (-(t.parent_path or "").count("/"), t.id))
        zip_rules, state_rules, country_rules = [], {}, {}
        for territory in territories:
            for prefix in territory._split_zip_prefixes()[0]:
                zip_rules.append((prefix, territory))
            for state in territory.state_ids:
                state_rules.setdefault(state.id, territory)
            for country in territory.country_ids:
                country_rules.setdefault(country.id, territory)
        # longest prefix first; the deepest territory first on equal prefixes
        zip_rules.sort(key=lambda rule: -len(rule[0]))

        def allowed(territory, lead):
            return not territory.company_id or territory.company_id == (
                lead.company_id or self.env.company
            )

        result = {}
        for lead in leads:
            match = self.browse()
            zip_code = self._normalize_zip(lead.zip)
            if zip_code:
                match = next(
                    (
                        territory
                        for prefix, territory in zip_rules
                        if zip_code.startswith(prefix)
                        and allowed(territory, lead)
                        and (
                            not territory.country_ids
                            or not lead.country_id
                            or lead.country_id in territory.country_ids
                        )
                    ),
                    match,
                )
            if not match and lead.state_id:
                territory = state_rules.get(lead.state_id.id)
                if territory and allowed(territory, lead):
                    match = territory
            if not match and lead.country_id:
                territory = country_rules.get(lead.country_id.id)
                if territory and allowed(territory, lead):
                    match = territory
            result[lead.id] = match
        return result

    def action_open_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("territory_id", "=", self.id)]
        action["context"] = {"default_territory_id": self.id, "default_type": "lead"}
        return action
