from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import SQL

from ..hooks import add_columns, fill_columns

# The BANT criteria: the values of each field that meet it. The score, the
# qualification and what a lead lacks (_get_bant_missing_criteria) all read it.
BANT_CRITERIA = {
    "bant_budget": ("yes",),
    "bant_authority": ("decision_maker",),
    "bant_need": ("identified",),
    "bant_timeline": ("year", "quarter"),
}
BANT_FIELDS = tuple(BANT_CRITERIA)
#: the lead's fields this addon computes: no create, write or import sets them
#: (see ``_get_protected_fields``)
PROTECTED_FIELDS = ("bant_score", "is_qualified", "is_returning", "new_or_returning")
#: many2one fields whose unknown ids are refused with a message naming them,
#: rather than with the database's foreign key error
CHECKED_MANY2ONES = ("lead_status_id", "territory_id", "country_id", "state_id")
#: longest value of the fields whose normalized form is indexed (phone_sanitized,
#: email_domain_criterion): longer, PostgreSQL refuses the index entry with a
#: technical message. An email address has at most 254 characters (RFC 5321).
MAX_LENGTHS = {"phone": 64, "mobile": 64, "email_from": 512}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # crm's default follows the Leads feature of the user creating the
    # record: a visitor of the website has none (see ``_default_type``)
    type = fields.Selection(default=lambda self: self._default_type())
    lead_status_id = fields.Many2one(
        "crm.lead.status",
        default=lambda self: self._default_lead_status_id(),
        group_expand="_read_group_expand_lead_status_id",
        index=True,
        tracking=True,
        ondelete="restrict",
        copy=False,
    )
    lead_status_color = fields.Integer(related="lead_status_id.color")
    territory_id = fields.Many2one(
        "crm.territory",
        compute="_compute_territory_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        domain="company_id and [('company_id', 'in', [company_id, False])] or []",
        help="Filled from the address (longest ZIP prefix, else state, else country) "
        "unless chosen by hand.",
    )
    territory_is_manual = fields.Boolean(
        string="Territory Chosen by Hand",
        copy=False,
        help="The territory was chosen by hand: address changes keep it.",
    )
    regional_manager_id = fields.Many2one(
        related="territory_id.manager_id",
        string="Regional Manager",
        store=True,
        index="btree_not_null",
    )
    team_leader_id = fields.Many2one(
        related="team_id.user_id",
        string="Team Leader",
        store=True,
        index="btree_not_null",
    )
    is_returning = fields.Boolean(
        string="Returning",
        compute="_compute_is_returning",
        store=True,
        help="The customer already existed: a contact with the same email or "
        "phone, or a contact with other leads or opportunities.",
    )
    new_or_returning = fields.Selection(
        [("new", "New"), ("returning", "Returning")],
        string="New or Returning",
        compute="_compute_new_or_returning",
        store=True,
        help="Returning when the customer already existed (see Returning): "
        "what Lead Analysis groups the leads by.",
    )
    # BANT qualification
    bant_budget = fields.Selection(
        [("unknown", "Unknown"), ("no", "No budget"), ("yes", "Budget confirmed")],
        string="Budget",
        default="unknown",
        required=True,
        tracking=True,
    )
    bant_budget_amount = fields.Monetary(
        string="Budget Amount", currency_field="company_currency"
    )
    bant_authority = fields.Selection(
        [
            ("unknown", "Unknown"),
            ("influencer", "Influencer"),
            ("decision_maker", "Decision maker"),
        ],
        string="Authority",
        default="unknown",
        required=True,
        tracking=True,
    )
    bant_need = fields.Selection(
        [("unknown", "Unknown"), ("none", "No need"), ("identified", "Identified")],
        string="Need",
        default="unknown",
        required=True,
        tracking=True,
    )
    bant_need_note = fields.Text(string="Need Notes")
    bant_timeline = fields.Selection(
        [
            ("unknown", "Unknown"),
            ("later", "Later"),
            ("year", "Within a year"),
            ("quarter", "Within a quarter"),
        ],
        string="Timeline",
        default="unknown",
        required=True,
        tracking=True,
    )
    bant_decision_date = fields.Date(string="Decision Date")
    bant_score = fields.Integer(
        string="BANT Score",
        compute="_compute_bant_score",
        store=True,
        aggregator="avg",
        help="One point each for a confirmed budget, a decision maker, an "
        "identified need and a timeline within a year.",
    )
    is_qualified = fields.Boolean(
        string="Qualified",
        compute="_compute_is_qualified",
        store=True,
        tracking=True,
        help="The BANT score reaches the company's qualification threshold.",
    )

    conversion_rate = fields.Float(
        string="Conversion Rate (%)",
        compute="_compute_conversion_rate",
        store=True,
        aggregator="avg",
        digits=(5, 1),
        help="100 for a converted lead (an opportunity, or a lead in the status "
        "Customer), else 0: averaged over leads, the share of them converted.",
    )

    @api.model
    def _default_type(self):
        """A lead while crm's Leads setting is on (Settings > CRM > Leads,
        which lead_management turns on), whoever creates it, else crm's
        default: a lead for users of the Leads feature only."""
        if self._uses_leads() or self.env.user.has_group("crm.group_use_lead"):
            return "lead"
        return "opportunity"

    @api.model
    def _default_lead_status_id(self):
        """The first status that is neither the fallback nor one requiring a
        BANT qualification a new lead cannot have yet."""
        return self.env["crm.lead.status"].search(
            [("is_unknown", "=", False), ("requires_qualification", "=", False)],
            limit=1,
        )

    @api.model
    def _read_group_expand_lead_status_id(self, statuses, domain):
        return statuses.search([])

    @api.depends("type", "lead_status_id")
    def _compute_conversion_rate(self):
        customer = self.env.ref(
            "lead_management.lead_status_customer", raise_if_not_found=False
        )
        for lead in self:
            converted = lead.type == "opportunity" or (
                customer and lead.lead_status_id == customer
            )
            lead.conversion_rate = 100.0 if converted else 0.0

    @api.depends("zip", "state_id", "country_id")
    def _compute_territory_id(self):
        auto = self.filtered(lambda lead: not lead.territory_is_manual)
        matches = self.env["crm.territory"]._match_leads(auto)
        for lead in self:
            lead.territory_id = matches.get(lead.id, lead.territory_id)

    @api.depends(*BANT_FIELDS)
    def _compute_bant_score(self):
        for lead in self:
            lead.bant_score = sum(
                lead[fname] in met for fname, met in BANT_CRITERIA.items()
            )

    @api.depends("bant_score", "company_id.bant_qualification_threshold")
    def _compute_is_qualified(self):
        default_threshold = self.env.company.bant_qualification_threshold
        for lead in self:
            threshold = (
                lead.company_id.bant_qualification_threshold or default_threshold
            )
            lead.is_qualified = lead.bant_score >= threshold

    @api.depends("email_normalized", "phone", "mobile", "country_id", "partner_id")
    def _compute_is_returning(self):
        """A lead is returning when its customer existed before it: a contact
        created earlier with the same normalized email or phone, its own contact
        created earlier, or a contact with earlier leads. Three queries for the
        whole batch."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        emails = {e for e in self.mapped("email_normalized") if e}
        phone_keys = self._get_phone_keys()
        phones = set().union(*phone_keys.values())
        partners = Partner.browse()
        if emails or phones:
            domain = []
            if emails:
                domain = [("email_normalized", "in", list(emails))]
            if phones:
                phone_domain = [
                    "|",
                    ("phone_normalized", "in", list(phones)),
                    ("mobile_normalized", "in", list(phones)),
                ]
                domain = ["|", *domain, *phone_domain] if domain else phone_domain
            partners = Partner.search_fetch(
                domain,
                ["email_normalized", "phone_normalized", "mobile_normalized"]
                + ["create_date"],
            )
        by_key = {}
        for partner in partners:
            for key in (
                partner.email_normalized,
                partner.phone_normalized,
                partner.mobile_normalized,
            ):
                if key:
                    by_key.setdefault(key, []).append(partner.create_date)
        linked = self.partner_id
        earlier_leads = {}
        if linked:
            for partner, ids in (
                self.env["crm.lead"]
                .with_context(active_test=False)
                ._read_group(
                    [("partner_id", "in", linked.ids)], ["partner_id"], ["id:array_agg"]
                )
            ):
                earlier_leads[partner.id] = ids
        customer_rank = "customer_rank" in Partner._fields
        now = fields.Datetime.now()
        for lead in self:
            created = lead.create_date or now
            lead_id = lead._origin.id or 0
            dates = by_key.get(lead.email_normalized, []) + [
                date for key in phone_keys[lead.id] for date in by_key.get(key, [])
            ]
            partner = lead.partner_id
            lead.is_returning = bool(
                any(date and date < created for date in dates)
                or (
                    partner
                    and (
                        (partner.create_date and partner.create_date < created)
                        or any(
                            other < lead_id or not lead_id
                            for other in earlier_leads.get(partner.id, [])
                            if other != lead_id
                        )
                        or (customer_rank and partner.customer_rank > 0)
                    )
                )
            )

    @api.depends("is_returning")
    def _compute_new_or_returning(self):
        for lead in self:
            lead.new_or_returning = "returning" if lead.is_returning else "new"

    def _get_phone_keys(self):
        """{lead id: the lead's phone and mobile as phone keys (see
        res.partner._phone_key)}, in the lead's country, else its company's."""
        Partner = self.env["res.partner"]
        return {
            lead.id: {
                key
                for key in (
                    Partner._phone_key(
                        number, lead.country_id or lead.company_id.country_id
                    )
                    for number in (lead.phone, lead.mobile)
                )
                if key
            }
            for lead in self
        }

    def _get_bant_missing_criteria(self):
        """What the lead lacks to be qualified, one phrase per BANT criterion
        it does not meet."""
        self.ensure_one()
        missing = {
            "bant_budget": self.env._("budget not confirmed"),
            "bant_authority": self.env._("decision maker not reached"),
            "bant_need": self.env._("need not identified"),
            "bant_timeline": self.env._("no purchase timeline within a year"),
        }
        return [
            missing[fname]
            for fname, met in BANT_CRITERIA.items()
            if self[fname] not in met
        ]

    def _check_status_qualification(self):
        """A lead is in a status requiring BANT qualification (the preloaded
        *Qualified*) only when it is qualified: raise naming what it lacks."""
        refused = self.filtered(
            lambda lead: (
                lead.lead_status_id.requires_qualification and not lead.is_qualified
            )
        )
        if not refused:
            return
        lead = refused[0]
        threshold = (
            lead.company_id.bant_qualification_threshold
            or self.env.company.bant_qualification_threshold
        )
        raise UserError(
            self.env._(
                "The lead %(lead)s cannot be in the status %(status)s: this status "
                "requires a BANT qualification (a BANT score of at least "
                "%(threshold)s of 4) and the lead scores %(score)s of 4: "
                "%(missing)s. Complete its BANT tab or choose another status.",
                lead=lead.display_name,
                status=lead.lead_status_id.name,
                threshold=threshold,
                score=lead.bant_score,
                missing=", ".join(lead._get_bant_missing_criteria()),
            )
        )

    @api.model
    def _returning_leads_query(self):
        """SQL twin of ``_compute_is_returning`` for the stored leads: the ids
        of the returning leads, in one query of joins (used at install). The
        phone keys of the leads are those of ``_get_phone_keys`` (the phone
        and the mobile), read from the temporary table that
        ``_init_lead_phone_keys`` fills."""
        created = SQL("COALESCE(l.create_date, %s)", self.env.cr.now())
        queries = [
            SQL(
                "SELECT l.id FROM crm_lead l JOIN res_partner p"
                " ON p.%s = l.%s WHERE p.create_date < %s",
                SQL.identifier(partner_key),
                SQL.identifier(lead_key),
                created,
            )
            for partner_key, lead_key in (
                ("email_normalized", "email_normalized"),
                ("id", "partner_id"),
            )
        ]
        queries += [
            SQL(
                "SELECT l.id FROM crm_lead l"
                " JOIN lead_management_phone_keys k ON k.lead_id = l.id"
                " JOIN res_partner p ON p.%s = k.key WHERE p.create_date < %s",
                SQL.identifier(partner_key),
                created,
            )
            for partner_key in ("phone_normalized", "mobile_normalized")
        ]
        # a contact with earlier leads
        queries.append(
            SQL(
                "SELECT l.id FROM crm_lead l JOIN ("
                " SELECT partner_id, min(id) AS first_id FROM crm_lead"
                " WHERE partner_id IS NOT NULL GROUP BY partner_id"
                ") AS f ON f.partner_id = l.partner_id WHERE l.id > f.first_id"
            )
        )
        if "customer_rank" in self.env["res.partner"]._fields:
            queries.append(
                SQL(
                    "SELECT l.id FROM crm_lead l JOIN res_partner p"
                    " ON p.id = l.partner_id WHERE p.customer_rank > 0"
                )
            )
        return SQL(" UNION ").join(queries)

    @api.model
    def _init_lead_phone_keys(self, batch_size=2000):
        """Fill the temporary table ``lead_management_phone_keys`` (lead_id,
        key) with the phone keys of the stored leads, as ``_get_phone_keys``
        gives them: the phone and the mobile in E.164 form, read in the lead's
        country, else its company's, else the current company's.

        A lead with one number whose country gives the same reading as mail's
        ``phone_sanitized`` (its own country, or none where the company's
        country is the current company's and no contact's country is used)
        has that key stored already: copied in one statement. The others (two
        numbers, another country) are read by batches: one query reads a
        batch, one writes it."""
        cr = self.env.cr
        default_country = self.env.company.country_id.id or None
        cr.execute(
            SQL(
                """
                DROP TABLE IF EXISTS lead_management_phone_keys;
                CREATE TEMPORARY TABLE lead_management_phone_keys
                    (lead_id int4 NOT NULL, key varchar NOT NULL);
                CREATE TEMPORARY TABLE lead_management_phone_rows AS
                SELECT l.id, l.phone, l.mobile,
                       COALESCE(l.country_id, cp.country_id, %(default)s)
                       AS country_id,
                       l.phone_sanitized,
                       (NULLIF(l.phone, '') IS NULL) <> (NULLIF(l.mobile, '') IS NULL)
                       AND (l.country_id IS NOT NULL
                            OR (p.country_id IS NULL
                                AND COALESCE(cp.country_id, %(default)s)
                                    = %(default)s))
                       AS single
                  FROM crm_lead l
                  LEFT JOIN res_company c ON c.id = l.company_id
                  LEFT JOIN res_partner cp ON cp.id = c.partner_id
                  LEFT JOIN res_partner p ON p.id = l.partner_id
                 WHERE (NULLIF(l.phone, '') IS NOT NULL
                        OR NULLIF(l.mobile, '') IS NOT NULL);
                INSERT INTO lead_management_phone_keys (lead_id, key)
                SELECT id, phone_sanitized FROM lead_management_phone_rows
                 WHERE single AND phone_sanitized IS NOT NULL;
                """,
                default=default_country,
            )
        )
        cr.execute(
            "SELECT id, phone, mobile, country_id FROM lead_management_phone_rows"
            " WHERE NOT single ORDER BY id"
        )
        rows = cr.fetchall()
        cr.execute("DROP TABLE lead_management_phone_rows")
        Partner = self.env["res.partner"]
        Country = self.env["res.country"]
        for start in range(0, len(rows), batch_size):
            keys = {
                (lead_id, key)
                for lead_id, phone, mobile, country in rows[start : start + batch_size]
                for key in (
                    Partner._phone_key(number, Country.browse(country or ()))
                    for number in (phone, mobile)
                )
                if key
            }
            if keys:
                cr.execute(
                    SQL(
                        "INSERT INTO lead_management_phone_keys (lead_id, key)"
                        " VALUES %s",
                        SQL(", ").join(SQL("(%s, %s)", *key) for key in sorted(keys)),
                    )
                )
        cr.execute(
            "CREATE INDEX ON lead_management_phone_keys (key);"
            " ANALYZE lead_management_phone_keys"
        )

    @api.constrains("territory_id", "company_id")
    def _check_territory_company(self):
        for lead in self:
            territory_company = lead.territory_id.company_id
            if (
                territory_company
                and lead.company_id
                and territory_company != lead.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "The territory %(territory)s belongs to %(territory_company)s, "
                        "not to the company of the lead %(lead)s (%(company)s).",
                        territory=lead.territory_id.display_name,
                        territory_company=territory_company.name,
                        lead=lead.name,
                        company=lead.company_id.name,
                    )
                )

    @api.onchange("territory_id")
    def _onchange_territory_id(self):
        if not self.team_id and self.territory_id.team_id:
            self.team_id = self.territory_id.team_id

    def _auto_init(self):
        # On a database with leads, the columns are created with their value
        # for the existing leads (BANT unknown, so a score of 0 and not
        # qualified) or empty, the install hook filling them in one statement
        # and the territories applied when territories are defined: left to
        # the ORM, each stored computed field would be computed lead by lead.
        add_columns(
            self,
            {
                "lead_status_id": None,
                "territory_id": None,
                "regional_manager_id": None,
                "team_leader_id": None,
                "is_returning": None,
                "new_or_returning": "new",
                "bant_budget": "unknown",
                "bant_authority": "unknown",
                "bant_need": "unknown",
                "bant_timeline": "unknown",
                "bant_score": 0,
                "is_qualified": None,
                "conversion_rate": 0,
            },
        )
        return super()._auto_init()

    @api.model
    def default_get(self, fields_list):
        """No default (e.g. a client's ``default_is_returning`` context key)
        gives a lead a value of the fields it computes
        (``_get_protected_fields``)."""
        protected = self._get_protected_fields()
        return super().default_get(
            [name for name in fields_list if name not in protected]
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input_values(vals_list)
        if self._is_incoming() and self._uses_leads():
            # website_crm gives a visitor's form an opportunity when the
            # visitor (the public user) lacks the Leads feature or the team
            # does not use leads
            vals_list = [dict(vals, type="lead") for vals in vals_list]
        vals_list = [self.browse()._check_protected_values(vals) for vals in vals_list]
        # a team in the values (or the context's default) is the caller's
        # choice; without one, crm's _compute_team_id gives the lead its
        # salesperson's default team, which the territory's team replaces
        team_given = [
            "team_id" in vals or bool(self.env.context.get("default_team_id"))
            for vals in vals_list
        ]
        # an empty territory (an import's empty column) is the address's one
        vals_list = [
            {key: value for key, value in vals.items() if key != "territory_id"}
            if "territory_id" in vals and not vals["territory_id"]
            else vals
            for vals in vals_list
        ]
        leads = super().create(vals_list)
        leads._check_status_qualification()
        with_territory = leads.filtered("territory_id")
        if with_territory:
            with_territory._update_territory_is_manual()
            routed = leads.browse(
                lead.id
                for lead, given in zip(leads, team_given, strict=True)
                if not given
            )
            (with_territory & routed)._route_to_territory_team()
            with_territory._fill_team_from_territory()
        return leads

    def write(self, vals):
        self._check_input_values([vals])
        vals = self._check_protected_values(vals)
        # leads entering a status that requires BANT qualification, and the
        # qualified leads in such a status whose qualification may change
        to_check = self.browse()
        if vals.get("lead_status_id"):
            to_check = self.filtered(
                lambda lead: lead.lead_status_id.id != vals["lead_status_id"]
            )
        if {*BANT_FIELDS, "company_id"} & set(vals):
            to_check |= self.filtered(
                lambda lead: (
                    lead.is_qualified and lead.lead_status_id.requires_qualification
                )
            )
        res = super().write(vals)
        to_check._check_status_qualification()
        if "territory_id" in vals and "territory_is_manual" not in vals:
            self._update_territory_is_manual()
        if {"territory_id", "zip", "state_id", "country_id", "team_id"} & set(vals):
            self._fill_team_from_territory()
        return res

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A lead received by e-mail is a lead while crm's Leads setting is
        on, whatever the alias's defaults (crm writes ``opportunity`` there
        for a team not using leads)."""
        if self._uses_leads():
            custom_values = dict(custom_values or {}, type="lead")
        return super().message_new(msg_dict, custom_values=custom_values)

    @api.model
    def _uses_leads(self):
        """Whether crm's Leads setting is on: every internal user has the
        Leads feature (Settings > CRM > Leads)."""
        # sudo: the groups of internal users, read for a website visitor too
        internal = self.env.ref("base.group_user").sudo()
        return self.env.ref("crm.group_use_lead") in internal.implied_ids

    @api.model
    def _is_incoming(self):
        """Whether the records are created for someone outside the company's
        users: a website visitor or a portal user, directly or through the
        superuser a website form creates its records with."""
        if self.env.user.share:
            return True
        try:
            request_user = request and request.env.user
        except AttributeError:  # a request not dispatched to a database
            return False
        return bool(request_user) and (
            request_user.share or (self.env.su and request_user != self.env.user)
        )

    def _route_to_territory_team(self):
        """The territory's team wins over the team crm defaulted from the
        salesperson (sales_team's ``_get_default_team_id``): used for leads
        created without a team, one write per team."""
        to_route = self.filtered(
            lambda lead: (
                lead.territory_id.team_id and lead.team_id != lead.territory_id.team_id
            )
        )
        for team, leads in to_route.grouped(
            lambda lead: lead.territory_id.team_id
        ).items():
            leads.write({"team_id": team.id})

    @api.model
    def _get_protected_fields(self):
        """Computed fields of the lead that no create, write or import may set
        (the addons extending the lead add theirs)."""
        return PROTECTED_FIELDS

    def _check_protected_values(self, vals):
        """``vals`` without the protected fields (``_get_protected_fields``): a
        value equal to the one stored (e.g. an exported file imported back) is
        ignored, any other value refused."""
        protected = [name for name in self._get_protected_fields() if name in vals]
        if not protected:
            return vals
        refused = []
        for name in protected:
            field = self._fields[name]
            value = field.convert_to_record(
                field.convert_to_cache(vals[name], self[:1], validate=False),
                self[:1],
            )
            if (not self and value) or any(lead[name] != value for lead in self):
                refused.append(f"{field._description_string(self.env)} ({name})")
        if refused:
            raise UserError(
                self.env._(
                    "These fields of a lead are computed and cannot be set: "
                    "%(fields)s.",
                    fields=", ".join(refused),
                )
            )
        return {name: value for name, value in vals.items() if name not in protected}

    @api.model
    def _check_input_values(self, vals_list):
        """Refuse, naming the field and the value, what Odoo would refuse with
        a technical message: a BANT value outside its list, the id of a status,
        territory, country or state that does not exist, a phone number or an
        email too long to be one. One query per model given ids."""
        errors = []
        for name, limit in MAX_LENGTHS.items():
            for vals in vals_list:
                if isinstance(vals.get(name), str) and len(vals[name]) > limit:
                    errors.append(
                        self.env._(
                            "%(field)s: %(length)s characters, more than the "
                            "%(limit)s a valid value can have",
                            field=self._fields[name]._description_string(self.env),
                            length=len(vals[name]),
                            limit=limit,
                        )
                    )
        for name in BANT_FIELDS:
            field = self._fields[name]
            allowed = field.get_values(self.env)
            for vals in vals_list:
                if name in vals and vals[name] not in allowed:
                    errors.append(
                        self.env._(
                            "%(field)s: %(value)r is not a valid value (valid "
                            "values: %(allowed)s)",
                            field=field._description_string(self.env),
                            value=vals[name],
                            allowed=", ".join(allowed),
                        )
                    )
        for name in CHECKED_MANY2ONES:
            field = self._fields[name]
            given = {
                value.id if isinstance(value, models.BaseModel) else value
                for value in (vals.get(name) for vals in vals_list)
                if value
            }
            if not given:
                continue
            ids = {value for value in given if isinstance(value, int)}
            # sudo: only whether the records exist, not what they hold
            existing = set(self.env[field.comodel_name].sudo().browse(ids).exists().ids)
            for value in sorted(given - existing, key=str):
                errors.append(
                    self.env._(
                        "%(field)s: there is no %(model)s with the id %(value)r",
                        field=field._description_string(self.env),
                        model=self.env["ir.model"]._get(field.comodel_name).name,
                        value=value,
                    )
                )
        if errors:
            raise ValidationError(
                self.env._(
                    "The lead cannot be saved:\n%(errors)s",
                    errors="\n".join(f"- {error}" for error in errors),
                )
            )

    def _fill_team_from_territory(self):
        """The territory's team fills an empty sales team, one write per team."""
        to_fill = self.filtered(
            lambda lead: not lead.team_id and lead.territory_id.team_id
        )
        for team, leads in to_fill.grouped(
            lambda lead: lead.territory_id.team_id
        ).items():
            leads.write({"team_id": team.id})

    def _update_territory_is_manual(self):
        """A territory is manual when it differs from the address match."""
        matches = self.env["crm.territory"]._match_leads(self)
        manual = self.filtered(
            lambda lead: lead.territory_id and lead.territory_id != matches[lead.id]
        )
        if manual:
            manual.write({"territory_is_manual": True})
        auto = (self - manual).filtered("territory_is_manual")
        if auto:
            auto.write({"territory_is_manual": False})

    @api.model
    def _init_existing_leads(self):
        """Give the leads that existed before the install their status, team
        leader, returning flag and conversion rate, set-based and without any
        chatter message. The status: Not interested for lost leads (archived
        with a probability of 0), Customer for won ones, else the status of
        their crm stage (``crm.lead.status._get_status_by_crm_stage``), else
        the default status. A lead whose stage's status requires a BANT
        qualification it does not meet (crm knows no BANT: at install, none
        meets it) gets *Interested*
        (``crm.lead.status._get_not_qualified_status``)."""
        Status = self.env["crm.lead.status"]
        by_stage = Status._get_status_by_crm_stage()
        self.env.flush_all()
        self._init_lead_phone_keys()
        query = SQL(
            """
            SELECT fill.*,
                   CASE WHEN fill.type = 'opportunity'
                             OR fill.lead_status_id = %(won)s THEN 100
                        ELSE 0
                   END AS conversion_rate
              FROM (
            SELECT l.id, l.type,
                   CASE WHEN l.active IS NOT TRUE
                             AND COALESCE(l.probability, 0) = 0 THEN %(lost)s
                        WHEN stage.is_won THEN %(won)s
                        WHEN by_stage.status_id = ANY(%(gated_ids)s::int[])
                             AND l.is_qualified IS NOT TRUE THEN %(not_qualified)s
                        ELSE COALESCE(by_stage.status_id, %(default)s)
                   END AS lead_status_id,
                   team.user_id AS team_leader_id,
                   returned.id IS NOT NULL AS is_returning,
                   CASE WHEN returned.id IS NOT NULL THEN 'returning' ELSE 'new'
                   END AS new_or_returning
              FROM crm_lead l
              LEFT JOIN crm_stage stage ON stage.id = l.stage_id
              LEFT JOIN crm_team team ON team.id = l.team_id
              LEFT JOIN unnest(%(stage_ids)s::int[], %(status_ids)s::int[])
                     AS by_stage (stage_id, status_id)
                     ON by_stage.stage_id = l.stage_id
              LEFT JOIN (%(returning)s) AS returned ON returned.id = l.id
             WHERE l.lead_status_id IS NULL
              ) AS fill
            """,
            lost=self.env.ref("lead_management.lead_status_not_interested").id,
            won=self.env.ref("lead_management.lead_status_customer").id,
            default=self._default_lead_status_id().id or Status._get_fallback().id,
            stage_ids=[stage.id for stage in by_stage],
            status_ids=[status.id for status in by_stage.values()],
            gated_ids=[
                status.id
                for status in by_stage.values()
                if status.requires_qualification
            ],
            not_qualified=Status._get_not_qualified_status().id,
            returning=self._returning_leads_query(),
        )
        fill_columns(
            self,
            query,
            [
                "lead_status_id",
                "team_leader_id",
                "is_returning",
                "new_or_returning",
                "conversion_rate",
            ],
        )
        self.env.cr.execute("DROP TABLE lead_management_phone_keys")

    @api.model
    def get_import_templates(self):
        return [
            {
                "label": self.env._(
                    "Import Template for Leads (statuses, territories)"
                ),
                "template": "/lead_management/static/xls/crm_lead_import_template.xlsx",
            }
        ] + super().get_import_templates()

    def action_view_history(self):
        """Chatter history of the lead with Callio's activity filters."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_management.mail_message_action_lead_history"
        )
        action["domain"] = [("model", "=", "crm.lead"), ("res_id", "=", self.id)]
        action["display_name"] = self.env._("History of %s", self.display_name)
        return action
