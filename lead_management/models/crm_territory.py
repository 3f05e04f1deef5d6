import re
import threading

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, groupby, split_every

from ..hooks import is_uninstalling

ZIP_PREFIX_RE = re.compile(r"^[0-9A-Z-]{1,10}$")

#: fields of a territory deciding which leads it covers
MATCHING_FIELDS = {
    "zip_prefixes",
    "state_ids",
    "country_ids",
    "company_id",
    "active",
    "parent_id",
}
#: leads re-assigned at once when territories change; more are re-assigned by
#: a background job (system parameter lead_management.territory_sync_limit)
SYNC_LIMIT = 1000
BATCH_SIZE = 1000
BATCHES_PER_RUN = 10  # batches of one run of the job before it reports progress


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
        help="New leads of this territory created without a sales team, and its "
        "leads left without one, get this team: it wins over the salesperson's "
        "default team.",
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

    @api.constrains("zip_prefixes", "company_id", "active")
    def _check_zip_prefixes_unique(self):
        """Two active territories of one company cannot have the same ZIP
        prefix: which of them a lead gets would be arbitrary."""
        territories = self.filtered("active")
        if not territories:
            return
        # sudo: the territories of the company the author may not see count too
        candidates = self.sudo().search(
            [
                ("company_id", "in", territories.company_id.ids + [False]),
                ("zip_prefixes", "!=", False),
            ]
        )
        owners = {}  # (company id, prefix) -> territory
        # the existing territories first: the message names the one written
        for territory in candidates.sorted(lambda t: t in territories):
            for prefix in territory._split_zip_prefixes()[0]:
                key = (territory.company_id.id, prefix)
                other = owners.setdefault(key, territory)
                if other != territory:
                    raise ValidationError(
                        self.env._(
                            "The ZIP prefix %(prefix)s is already used by the "
                            "territory %(other)s of the same company: a ZIP prefix "
                            "can belong to one territory only (%(territory)s).",
                            prefix=prefix,
                            other=other.display_name,
                            territory=territory.display_name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        territories = super().create(vals_list)
        territories._apply_to_leads()
        return territories

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
        res = super().write(vals)
        if MATCHING_FIELDS.intersection(vals):
            self._apply_to_leads()
        return res

    def unlink(self):
        res = super().unlink()
        self.browse()._apply_to_leads()
        return res

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

    @api.model
    def _search_by_depth(self, domain):
        """Territories matching ``domain``, the deepest first, then by id: the
        order in which they match an address."""
        return self.search(domain).sorted(
            lambda t: (-(t.parent_path or "").count("/"), t.id)
        )

    def _get_zip_rules(self):
        """[(ZIP prefix, territory)] of the territories in self (in the order
        of ``_search_by_depth``), the longest prefix first."""
        zip_rules = [
            (prefix, territory)
            for territory in self
            for prefix in territory._split_zip_prefixes()[0]
        ]
        # longest prefix first; the deepest territory first on equal prefixes
        zip_rules.sort(key=lambda rule: -len(rule[0]))
        return zip_rules

    def _match_leads(self, leads):
        """Return {lead id: territory} for the most specific territory matching
        each lead's address: longest ZIP prefix, else state, else country.

        Territories are loaded once for the whole batch; no query per lead.
        ``_get_lead_changes`` does the same in SQL for stored leads.
        """
        companies = leads.company_id | self.env.company
        territories = self._search_by_depth(
            [("company_id", "in", companies.ids + [False])]
        )
        zip_rules, state_rules, country_rules = territories._get_zip_rules(), {}, {}
        for territory in territories:
            for state in territory.state_ids:
                state_rules.setdefault(state.id, []).append(territory)
            for country in territory.country_ids:
                country_rules.setdefault(country.id, []).append(territory)

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
                match = next(
                    (
                        territory
                        for territory in state_rules.get(lead.state_id.id, [])
                        if allowed(territory, lead)
                    ),
                    match,
                )
            if not match and lead.country_id:
                match = next(
                    (
                        territory
                        for territory in country_rules.get(lead.country_id.id, [])
                        if allowed(territory, lead)
                    ),
                    match,
                )
            result[lead.id] = match
        return result

    @api.model
    def _get_lead_changes(self, lead_ids=None):
        """[(lead id, territory id or None)] for the stored leads (those of
        ``lead_ids``, else all) whose automatic territory is not the one they
        have, leads whose territory was chosen by hand left out; the matching
        of ``_match_leads`` in one query."""
        self.env.flush_all()
        # sudo: every company's territories, each lead matching only those of
        # its company (``allowed``), so that the result does not depend on
        # the companies of the user who changed a territory
        territories = self.sudo()._search_by_depth([])
        zip_rules = territories._get_zip_rules()
        countries = self._fields["country_ids"]
        states = self._fields["state_ids"]
        allowed = SQL(
            "(t.company_id IS NULL OR t.company_id = COALESCE(lead.company_id, %s))",
            self.env.company.id,
        )
        cr = self.env.cr
        # no JIT compilation: it costs more than the query
        cr.execute(
            "SELECT set_config('lead_management.jit', current_setting('jit'), true),"
            " set_config('jit', 'off', true)"
        )
        cr.execute(
            SQL(
                """
                WITH zip_rule AS (
                    SELECT * FROM unnest(%(prefixes)s::varchar[], %(zip_ids)s::int[])
                      WITH ORDINALITY AS r (prefix, territory_id, rank)
                ), territory AS (
                    SELECT t.id, t.company_id, array_position(%(order)s::int[], t.id)
                           AS rank
                      FROM crm_territory t
                     WHERE t.id = ANY(%(order)s::int[])
                ), matched AS MATERIALIZED (
                    SELECT lead.id, lead.territory_id AS old_id, COALESCE(
                        (SELECT r.territory_id
                           FROM zip_rule r JOIN territory t ON t.id = r.territory_id
                          WHERE starts_with(%(zip_code)s, r.prefix)
                            AND %(allowed)s
                            AND (lead.country_id IS NULL
                                 OR NOT EXISTS (SELECT 1 FROM %(country_rel)s c
                                                 WHERE c.%(country_t)s = t.id)
                                 OR EXISTS (SELECT 1 FROM %(country_rel)s c
                                             WHERE c.%(country_t)s = t.id
                                               AND c.%(country_c)s = lead.country_id))
                          ORDER BY r.rank LIMIT 1),
                        (SELECT t.id
                           FROM territory t JOIN %(state_rel)s s ON s.%(state_t)s = t.id
                          WHERE s.%(state_c)s = lead.state_id AND %(allowed)s
                          ORDER BY t.rank LIMIT 1),
                        (SELECT t.id
                           FROM territory t JOIN %(country_rel)s c
                                ON c.%(country_t)s = t.id
                          WHERE c.%(country_c)s = lead.country_id AND %(allowed)s
                          ORDER BY t.rank LIMIT 1)
                    ) AS new_id
                      FROM crm_lead lead
                     WHERE lead.territory_is_manual IS NOT TRUE AND %(scope)s
                )
                SELECT id, new_id FROM matched
                 WHERE old_id IS DISTINCT FROM new_id ORDER BY id
                """,
                prefixes=[prefix for prefix, __ in zip_rules],
                zip_ids=[territory.id for __, territory in zip_rules],
                order=territories.ids,
                allowed=allowed,
                # _normalize_zip
                zip_code=SQL("upper(replace(btrim(lead.zip, E' \\t\\n\\r'), ' ', ''))"),
                country_rel=SQL.identifier(countries.relation),
                country_t=SQL.identifier(countries.column1),
                country_c=SQL.identifier(countries.column2),
                state_rel=SQL.identifier(states.relation),
                state_t=SQL.identifier(states.column1),
                state_c=SQL.identifier(states.column2),
                scope=SQL("lead.id = ANY(%s)", list(lead_ids))
                if lead_ids is not None
                else SQL("TRUE"),
            )
        )
        changes = cr.fetchall()
        cr.execute(
            "SELECT set_config('jit', current_setting('lead_management.jit'), true)"
        )
        return changes

    def _apply_to_leads(self):
        """Territories changed: re-apply the automatic territories to the
        existing leads, at once when few leads change, else in the background
        (``_cron_apply_to_leads``). Leads whose territory was chosen by hand
        keep it."""
        if is_uninstalling(self.env):
            return
        changes = self._get_lead_changes()
        # sudo: system parameters are readable by Settings administrators only
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("lead_management.territory_sync_limit", SYNC_LIMIT)
        )
        if len(changes) <= limit:
            self._write_lead_territories(changes)
        else:
            # sudo: scheduled actions are Settings administrators' records
            self.env.ref("lead_management.ir_cron_apply_territories").sudo()._trigger()

    @api.model
    def _write_lead_territories(self, changes):
        """Give the leads their territory: one write per territory, without
        chatter messages; the territory's team fills an empty sales team."""
        # sudo: a territory applies to every lead of its address, those the
        # Sales Administrator who changed it does not see included
        Lead = self.env["crm.lead"].sudo().with_context(tracking_disable=True)
        for territory_id, rows in groupby(changes, key=lambda change: change[1]):
            Lead.browse(lead_id for lead_id, __ in rows).write(
                {"territory_id": territory_id or False, "territory_is_manual": False}
            )

    @api.model
    def _cron_apply_to_leads(self, batch_size=BATCH_SIZE, batches=BATCHES_PER_RUN):
        """Background job re-applying the automatic territories to the leads:
        ``batches`` batches at most, each committed, reporting its progress;
        the job runs again until no lead is left. Return the number of leads
        left."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        lead_ids = [lead_id for lead_id, __ in self._get_lead_changes()]
        todo = lead_ids[: batch_size * batches]
        done = 0
        for batch in split_every(batch_size, todo):
            # matched again: a lead may have changed since the list was made
            self._write_lead_territories(self._get_lead_changes(lead_ids=batch))
            done += len(batch)
            if auto_commit:
                self.env["ir.cron"]._notify_progress(
                    done=done, remaining=len(lead_ids) - done
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        self.env["ir.cron"]._notify_progress(done=done, remaining=len(lead_ids) - done)
        return len(lead_ids) - done

    def action_open_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("territory_id", "=", self.id)]
        action["context"] = {"default_territory_id": self.id, "default_type": "lead"}
        return action
