from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.mail import parse_contact_from_email

from ..models.crm_lead import EXACT_MATCHES


class CrmLeadConversion(models.TransientModel):
    _name = "crm.lead.conversion"
    _description = "Convert Leads into Customers and Opportunities"

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if (
            "lead_ids" in fields_list
            and not result.get("lead_ids")
            and context.get("active_model") == "crm.lead"
        ):
            lead_ids = context.get("active_ids") or (
                [context["active_id"]] if context.get("active_id") else []
            )
            result["lead_ids"] = [Command.set(lead_ids)]
        return result

    lead_ids = fields.Many2many(
        "crm.lead",
        "crm_lead_conversion_lead_rel",
        "conversion_id",
        "lead_id",
        string="Leads",
        context={"active_test": False},
    )
    lead_count = fields.Integer(compute="_compute_lead_summary")
    company_id = fields.Many2one("res.company", compute="_compute_lead_summary")
    create_opportunity = fields.Boolean(
        string="Create an Opportunity",
        default=True,
        help="Turn the lead into an opportunity of the pipeline. Unticked, the lead "
        "stays a lead with the status Customer, linked to its customer.",
    )
    customer_action = fields.Selection(
        [
            ("create", "Create a new customer"),
            ("link", "Link to an existing customer"),
            ("nothing", "Do not link to a customer"),
        ],
        string="Customer",
        compute="_compute_customer_action",
        store=True,
        readonly=False,
    )
    create_company = fields.Boolean(
        string="Create the Company",
        compute="_compute_create_company",
        store=True,
        readonly=False,
        help="Create a company from the lead's company name, address, phone, email, "
        "website and tax ID.",
    )
    create_contact = fields.Boolean(
        string="Create the Contact Person",
        compute="_compute_create_contact",
        store=True,
        readonly=False,
        help="Create a contact person from the lead's contact name, under the "
        "company when there is one.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Existing Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        domain="['|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="The customer the leads are linked to. Left empty when converting "
        "several leads, each lead is linked to its own best match.",
    )
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        "crm_lead_conversion_duplicate_rel",
        "conversion_id",
        "partner_id",
        string="Matching Customers",
        compute="_compute_duplicate_partner_ids",
        store=True,
        readonly=False,
        help="Existing customers with the same email, phone, tax ID or company "
        "name as the leads, best match first.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        domain="[('share', '=', False)]",
    )
    user_ids = fields.Many2many(
        "res.users",
        "crm_lead_conversion_user_rel",
        "conversion_id",
        "user_id",
        string="Salespersons",
        domain="[('share', '=', False)]",
        help="When converting several leads, they are spread round-robin among "
        "these salespersons.",
    )
    team_id = fields.Many2one(
        "crm.team",
        string="Sales Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
    )
    override_qualification = fields.Boolean(
        string="Convert Without Qualification",
        help="Sales Administrators only: convert leads that do not meet the BANT "
        "qualification threshold. The override is written in the lead's history.",
    )
    qualification_warning = fields.Text(compute="_compute_qualification_warning")

    @api.depends("lead_ids")
    def _compute_lead_summary(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)
            wizard.company_id = wizard.lead_ids.company_id[:1]

    @api.depends("lead_ids")
    def _compute_customer_action(self):
        for wizard in self:
            candidates = wizard.lead_ids._conversion_find_duplicates()
            if wizard.lead_ids and all(candidates.values()):
                wizard.customer_action = "link"
            else:
                wizard.customer_action = "create"

    @api.depends("lead_ids")
    def _compute_create_company(self):
        for wizard in self:
            wizard.create_company = any(wizard.lead_ids.mapped("partner_name"))

    @api.depends("lead_ids")
    def _compute_create_contact(self):
        for wizard in self:
            wizard.create_contact = any(
                lead.contact_name or lead.email_from for lead in wizard.lead_ids
            )

    @api.depends("customer_action", "lead_ids")
    def _compute_partner_id(self):
        for wizard in self:
            partner = self.env["res.partner"]
            if wizard.customer_action == "link" and len(wizard.lead_ids) == 1:
                lead = wizard.lead_ids
                candidates = lead._conversion_find_duplicates()[lead.id]
                partner = candidates[0][0] if candidates else partner
            wizard.partner_id = partner

    @api.depends("lead_ids")
    def _compute_duplicate_partner_ids(self):
        for wizard in self:
            best = {}
            for candidates in wizard.lead_ids._conversion_find_duplicates().values():
                for partner, score, __ in candidates:
                    best[partner] = max(score, best.get(partner, 0))
            ordered = sorted(best, key=lambda partner: (-best[partner], -partner.id))
            wizard.duplicate_partner_ids = [Command.set([p.id for p in ordered])]

    @api.depends("lead_ids")
    def _compute_user_id(self):
        for wizard in self:
            if len(wizard.lead_ids) == 1:
                wizard.user_id = wizard.lead_ids.user_id or self.env.user
            else:
                wizard.user_id = False

    @api.depends("user_id", "user_ids", "lead_ids")
    def _compute_team_id(self):
        """The lead's team, or a team of the chosen salesperson."""
        for wizard in self:
            user = wizard.user_id or wizard.user_ids[:1]
            team = wizard.team_id or wizard.lead_ids.team_id[:1]
            if not user:
                wizard.team_id = team if len(wizard.lead_ids.team_id) <= 1 else False
                continue
            if team and user in team.member_ids | team.user_id:
                wizard.team_id = team
                continue
            wizard.team_id = self.env["crm.team"]._get_default_team_id(
                user_id=user.id, domain=None
            )

    @api.depends("lead_ids")
    def _compute_qualification_warning(self):
        for wizard in self:
            unqualified = wizard.lead_ids.filtered(lambda lead: not lead.is_qualified)
            wizard.qualification_warning = (
                "\n".join(unqualified._conversion_qualification_summary())
                if unqualified
                else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # the candidates are those of the moment the wizard opens: a customer
        # appearing later was never shown to the user
        wizards.flush_recordset(["duplicate_partner_ids"])
        return wizards

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_convert(self):
        """Convert the leads: checks, customers, opportunities, history."""
        self.ensure_one()
        leads = self.lead_ids
        if not leads:
            raise UserError(self.env._("Select at least one lead to convert."))
        leads.check_access("write")
        if self.override_qualification and not self.env.user.has_group(
            "sales_team.group_sale_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only Sales Administrators can convert leads that are not "
                    "qualified."
                )
            )
        leads._conversion_lock()
        self._check_convertible(leads)
        candidates = leads._conversion_find_duplicates()
        self._check_no_hidden_duplicate(candidates)
        customers = self._convert_customers(leads, candidates)
        if self.create_opportunity:
            for partner, group in leads.grouped(
                lambda lead: customers[lead.id][0]
            ).items():
                group.convert_opportunity(partner)
        else:
            self._convert_keep_leads(leads, customers)
        leads._conversion_record_partners(
            {lead_id: linked for lead_id, (__, linked, __) in customers.items()}
        )
        user_ids = (self.user_ids or self.user_id).ids
        if user_ids or self.team_id:
            leads._handle_salesmen_assignment(
                user_ids=user_ids, team_id=self.team_id.id
            )
        self._log_conversion(leads, customers)
        if len(leads) == 1:
            return leads.redirect_lead_opportunity_view()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Converted Leads"),
            "res_model": "crm.lead",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", leads.ids)],
            "context": {"active_test": False},
        }

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _check_convertible(self, leads):
        """All or nothing: refuse when any lead was already converted, is an
        opportunity, is lost, or is not qualified (unless overridden)."""
        refused = []
        for lead in leads:
            if lead.type == "opportunity":
                refused.append(
                    self.env._("%(lead)s is already an opportunity", lead=lead.name)
                )
            elif lead.date_conversion or lead.converted_by_id:
                refused.append(
                    self.env._("%(lead)s was already converted", lead=lead.name)
                )
            elif not lead.active:
                refused.append(self.env._("%(lead)s is lost", lead=lead.name))
        if refused:
            raise UserError(
                self.env._(
                    "Nothing was converted. These leads cannot be converted:\n"
                    "%(leads)s",
                    leads="\n".join(f"- {line}" for line in refused),
                )
            )
        unqualified = leads.filtered(lambda lead: not lead.is_qualified)
        if unqualified and not self.override_qualification:
            raise UserError(
                self.env._(
                    "Nothing was converted. Only qualified leads can be converted; "
                    "complete their BANT qualification first:\n%(leads)s",
                    leads="\n".join(
                        f"- {line}"
                        for line in unqualified._conversion_qualification_summary()
                    ),
                )
            )
        if not self.create_opportunity and self.customer_action == "nothing":
            raise UserError(
                self.env._(
                    "Nothing to do: create an opportunity, or create or link a "
                    "customer."
                )
            )

    def _check_no_hidden_duplicate(self, candidates):
        """Never create a customer duplicating an exact email or phone match
        the user has not seen in the wizard."""
        creates = self.customer_action == "create" or (
            self.customer_action == "link" and self.create_contact
        )
        if not creates:
            return
        shown = self.duplicate_partner_ids
        hidden = self.env["res.partner"]
        for matches in candidates.values():
            for partner, __, rules in matches:
                if rules & EXACT_MATCHES and partner not in shown:
                    hidden |= partner
        if hidden:
            raise UserError(
                self.env._(
                    "Nothing was converted. These customers have the same email or "
                    "phone as the leads but were not shown when you opened the "
                    "conversion; open it again to review them:\n%(partners)s",
                    partners="\n".join(f"- {name}" for name in hidden.mapped("name")),
                )
            )

    def _convert_customers(self, leads, candidates):
        """Create or find the customers of each lead.

        Companies are created in one batch, then contacts in another.

        :return: {lead_id: (main partner, partners created or linked,
                  partners created)}
        """
        Partner = self.env["res.partner"]
        empty = Partner.browse()
        if self.customer_action == "nothing":
            return {lead.id: (lead.partner_id, empty, empty) for lead in leads}
        user_id = self.user_id.id
        plans = {}  # lead id -> [company or vals or None, contact or vals or None]
        problems = []
        for lead in leads.with_context(default_user_id=user_id or False):
            contact_name = lead.contact_name or (
                parse_contact_from_email(lead.email_from)[0]
                if lead.email_from
                else False
            )
            if self.customer_action == "create":
                company = False
                if self.create_company and lead.partner_name:
                    company = lead._prepare_customer_values(
                        lead.partner_name, is_company=True
                    )
                    company.update(function=False, title=False)
                contact = False
                if self.create_contact:
                    name = contact_name or (not company and lead.name)
                    contact = name and lead._prepare_customer_values(name)
                if not company and not contact:
                    problems.append(
                        self.env._(
                            "%(lead)s has no company name to create the company from",
                            lead=lead.name,
                        )
                    )
                plans[lead.id] = [company, contact]
                continue
            # link
            matches = candidates.get(lead.id, [])
            target = self.partner_id or (matches[0][0] if matches else empty)
            if not target:
                problems.append(
                    self.env._("no existing customer matches %(lead)s", lead=lead.name)
                )
                continue
            company = target.commercial_partner_id
            contact = False
            if self.create_contact and contact_name:
                existing = next(
                    (
                        partner
                        for partner, __, rules in matches
                        if rules & EXACT_MATCHES
                        and not partner.is_company
                        and partner.commercial_partner_id == company
                    ),
                    False,
                )
                if existing:
                    contact = existing
                elif company.is_company:
                    contact = lead._prepare_customer_values(
                        contact_name, parent_id=company.id
                    )
            elif not target.is_company:
                contact = target
            plans[lead.id] = [company, contact]
        if problems:
            raise UserError(
                self.env._(
                    "Nothing was converted:\n%(problems)s",
                    problems="\n".join(f"- {line}" for line in problems),
                )
            )
        created = self._create_planned(plans, 0)
        for company, contact in plans.values():
            if isinstance(contact, dict) and company:
                contact["parent_id"] = company.id
        created |= self._create_planned(plans, 1)
        result = {}
        for lead in leads:
            company, contact = plans[lead.id]
            company, contact = company or empty, contact or empty
            linked = company | contact
            result[lead.id] = (contact or company, linked, linked & created)
        return result

    def _create_planned(self, plans, position):
        """Create in one batch the partners planned at ``position`` (0 for
        companies, 1 for contacts) and put the records in their place."""
        to_create = [
            (lead_id, plan[position])
            for lead_id, plan in plans.items()
            if isinstance(plan[position], dict)
        ]
        if not to_create:
            return self.env["res.partner"]
        partners = self.env["res.partner"].create([vals for __, vals in to_create])
        for (lead_id, __), partner in zip(to_create, partners, strict=True):
            plans[lead_id][position] = partner
        return partners

    def _convert_keep_leads(self, leads, customers):
        """Without opportunity: the lead stays a lead with the Customer status,
        linked to its customer, and leaves the open leads."""
        status = self.env.ref("lead_management.lead_status_customer")
        now = self.env.cr.now()
        for partner, group in leads.grouped(lambda lead: customers[lead.id][0]).items():
            values = {
                "lead_status_id": status.id,
                "date_conversion": now,
                "converted_by_id": self.env.uid,
            }
            if partner:
                values["partner_id"] = partner.id
            group.write(values)

    def _log_conversion(self, leads, customers):
        """Post what the conversion did on the leads and on their customers,
        with links, and count the customers as customers."""
        user = self.env.user
        lead_bodies, partner_bodies = {}, {}
        for lead in leads:
            __, linked, created = customers[lead.id]
            lines = []
            for partner in linked:
                if partner in created:
                    text = (
                        self.env._("Company %(partner)s created.")
                        if partner.is_company
                        else self.env._("Contact %(partner)s created.")
                    )
                else:
                    text = self.env._("Linked to the existing customer %(partner)s.")
                lines.append(Markup(text) % {"partner": partner._get_html_link()})
                partner_text = (
                    self.env._("Created from the lead %(lead)s by %(user)s.")
                    if partner in created
                    else self.env._("Linked to the lead %(lead)s by %(user)s.")
                )
                partner_bodies.setdefault(partner.id, []).append(
                    Markup(partner_text)
                    % {"lead": lead._get_html_link(), "user": user.name}
                )
            if self.create_opportunity:
                headline = self.env._("Converted into an opportunity by %(user)s.")
            else:
                headline = self.env._(
                    "Converted into a customer by %(user)s; it stays a lead with the "
                    "Customer status."
                )
            body = Markup("<p>%s</p>") % (Markup(headline) % {"user": user.name})
            if lines:
                body += Markup("<ul>%s</ul>") % Markup().join(
                    Markup("<li>%s</li>") % line for line in lines
                )
            if not lead.is_qualified:
                body += Markup("<p>%s</p>") % self.env._(
                    "Qualification overridden by %(user)s: %(summary)s",
                    user=user.name,
                    summary=lead._conversion_qualification_summary()[0],
                )
            lead_bodies[lead.id] = body
        leads._message_log_batch(lead_bodies)
        partners = self.env["res.partner"].browse(partner_bodies)
        if partners:
            partners._message_log_batch(
                {
                    partner_id: Markup("<br/>").join(texts)
                    for partner_id, texts in partner_bodies.items()
                }
            )
            if "customer_rank" in partners._fields:
                partners._increase_rank("customer_rank")
