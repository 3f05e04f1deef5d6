from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.mail import parse_contact_from_email

from ..models.crm_lead import CONVERSION_WRITE, EXACT_MATCHES, GATE_APPLIED


class Lead2OpportunityPartner(models.TransientModel):
    _inherit = "crm.lead2opportunity.partner"

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
        default=True,
        help="Create a contact person from the lead's contact name, under the "
        "company when there is one. When linking to an existing company, the "
        "contact is added under it (or its contact with the same email or phone "
        "is used).",
    )
    duplicate_partner_ids = fields.Many2many(
        "res.partner",
        string="Matching Customers",
        compute="_compute_duplicate_partner_ids",
        help="Existing customers with the same email, phone, tax ID or company "
        "name as the leads, best match first.",
    )
    create_opportunity = fields.Boolean(
        string="Create an Opportunity",
        default=True,
        help="Turn the lead into an opportunity of the pipeline. Unticked, the lead "
        "stays a lead with the status Customer, linked to its customer.",
    )
    override_qualification = fields.Boolean(
        string="Convert Without Qualification",
        help="Sales Administrators only: convert leads that do not meet the BANT "
        "qualification threshold. The override is written in the lead's history.",
    )
    qualification_warning = fields.Text(compute="_compute_qualification_warning")

    @api.depends("lead_id")
    def _compute_action(self):
        """A lead with a company name but no contact creates its company."""
        result = super()._compute_action()
        for wizard in self:
            if wizard.action == "nothing" and wizard.lead_id.partner_name:
                wizard.action = "create"
        return result

    @api.depends("lead_id")
    def _compute_create_company(self):
        for wizard in self:
            leads = wizard._get_conversion_leads()
            wizard.create_company = any(leads.mapped("partner_name"))

    @api.depends("lead_id")
    def _compute_duplicate_partner_ids(self):
        for wizard in self:
            leads = wizard._get_conversion_leads()._origin
            best = {}
            for candidates in leads._get_duplicate_partners().values():
                for partner, score, __ in candidates:
                    best[partner] = max(score, best.get(partner, 0))
            ordered = sorted(best, key=lambda partner: (-best[partner], -partner.id))
            wizard.duplicate_partner_ids = self.env["res.partner"].browse(
                [partner.id for partner in ordered]
            )

    @api.depends("lead_id")
    def _compute_qualification_warning(self):
        for wizard in self:
            leads = wizard._get_conversion_leads()._origin
            unqualified = wizard._get_unqualified_leads(leads)
            wizard.qualification_warning = (
                "\n".join(unqualified._get_qualification_summary()) or False
            )

    # ------------------------------------------------------------
    # CONVERSION (crm's hook)
    # ------------------------------------------------------------

    def _convert_and_allocate(self, leads, user_ids, team_id=False):
        """crm's conversion with this wizard's options, all or nothing: every
        check passes before anything changes. The customers are found and
        created for the whole batch at once (companies, then contacts), each
        group of leads sharing a customer is converted by crm's
        ``convert_opportunity``, then the salespersons are assigned as crm does;
        who converted what is written in the leads' and customers' chatter."""
        # crm's version handles one lead at a time (a partner write, then a
        # conversion write per lead) with no hook for a batch: replaced, calling
        # the same crm.lead methods for the whole batch
        self.ensure_one()
        leads._lock_for_conversion()
        overridden = self._check_conversion(leads)
        # the gate is applied above, with the dialog's override checkbox
        leads = leads.with_context(lead_conversion_gate=GATE_APPLIED)
        # crm converts active leads that are not won (convert_opportunity)
        converting = leads.filtered(lambda lead: lead.active and lead.probability < 100)
        customers, created = self._convert_customers(leads)
        if self._keeps_leads():
            self._convert_keep_leads(converting, customers)
        else:
            for customer, group in converting.grouped(
                lambda lead: customers[lead.id][0]
            ).items():
                group.convert_opportunity(customer)
            # crm links the customer of a won lead without converting it
            won = (leads - converting).filtered(
                lambda lead: lead.active and customers[lead.id][0] != lead.partner_id
            )
            for customer, group in won.grouped(
                lambda lead: customers[lead.id][0]
            ).items():
                group.partner_id = customer
        leads_to_allocate = leads
        if not self.force_assignment:
            leads_to_allocate = leads_to_allocate.filtered(
                lambda lead: not lead.user_id
            )
        if user_ids:
            leads_to_allocate._handle_salesmen_assignment(user_ids, team_id=team_id)
        leads._add_conversion_partners(
            {lead.id: customers[lead.id][1] for lead in converting}
        )
        self._log_conversion(converting, customers, created, overridden)

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_conversion_leads(self):
        """The leads the wizard shows its customers and qualification for."""
        self.ensure_one()
        return self.lead_id

    def _keeps_leads(self):
        """Convert into customers only: the leads stay leads."""
        return self.name == "convert" and not self.create_opportunity

    def _get_unqualified_leads(self, leads):
        """Leads the qualification gate refuses: leads to convert (not
        opportunities, not lost, not won) of a company converting qualified
        leads only, below its BANT threshold."""
        return leads.filtered(
            lambda lead: lead.active and lead.probability < 100
        )._get_unqualified_leads()

    def _get_refused_leads(self, leads):
        """{lead: why} for the leads that stop the conversion: leads won,
        lost, archived or already converted when no lead of the selection is
        left to convert (as crm does, a selection converts its other leads
        and leaves these as they are)."""
        refused = leads._get_conversion_refusals(keep_leads=self._keeps_leads())
        return refused if len(refused) == len(leads) else {}

    def _check_conversion(self, leads):
        """Refuse the whole conversion when a lead may not be converted.

        :return: the unqualified leads converted by a Sales Administrator's
          override
        """
        if self.override_qualification and not self.env.user.has_group(
            "sales_team.group_sale_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only Sales Administrators can convert leads that are not "
                    "qualified."
                )
            )
        companies = leads.company_id
        if len(companies) > 1:
            raise UserError(
                self.env._(
                    "Nothing was converted. The leads belong to several companies "
                    "(%(companies)s): convert the leads of each company separately.",
                    companies=", ".join(companies.mapped("name")),
                )
            )
        refused = self._get_refused_leads(leads)
        if refused:
            raise UserError(
                self.env._(
                    "Nothing was converted:\n%(leads)s",
                    leads="\n".join(f"- {reason}" for reason in refused.values()),
                )
            )
        unqualified = self._get_unqualified_leads(leads)
        if unqualified and not self.override_qualification:
            raise unqualified._get_qualification_error()
        if self._keeps_leads() and self.action == "nothing":
            raise UserError(
                self.env._(
                    "Nothing to do: create an opportunity, or create or link a "
                    "customer."
                )
            )
        return unqualified

    def _convert_customers(self, leads):
        """The customer of each lead, as crm's ``_convert_handle_partner`` gives
        it, with this wizard's options:

        - *create*: a lead without customer gets a company (``create_company``,
          from its company name) and/or a contact (``create_contact``, under the
          company);
        - *exist*: the chosen customer; a company gets the lead's contact under
          it (``create_contact``), or its contact with the same email or phone;
        - *each_exist_or_create* (mass): each lead's own customer or its exact
          match (email, phone, tax ID), else created as for *create*, once for
          leads sharing an email;
        - *nothing*, lost leads: the lead's customer, unchanged.

        The companies, then the contacts are created in one batch each.

        :return: ({lead id: (customer, customers created or linked)},
                  customers created)
        """
        Partner = self.env["res.partner"]
        result = {lead.id: (lead.partner_id, lead.partner_id) for lead in leads}
        if self.action == "nothing":
            return {lead.id: (lead.partner_id, Partner) for lead in leads}, Partner
        handled = leads.filtered("active")
        target = self.partner_id if self.action == "exist" else Partner
        matches = {}
        if self.action == "each_exist_or_create" or (
            target.is_company and self.create_contact
        ):
            matches = handled._get_duplicate_partners(rules=EXACT_MATCHES)
        plans = {}  # lead id -> [company, contact]: record, values to create, False
        plans_by_email = {}
        problems = []
        for lead in handled.with_context(default_user_id=self.user_id.id):
            if self.action == "exist":
                customer = target or lead.partner_id
                if customer.is_company and self.create_contact and target:
                    plans[lead.id] = [
                        customer,
                        self._plan_contact(lead, customer, matches),
                    ]
                else:
                    result[lead.id] = (customer, customer)
                continue
            if self.action == "each_exist_or_create":
                lead_matches = matches[lead.id]
                customer = lead.partner_id or (
                    lead_matches[0][0] if lead_matches else Partner
                )
                if not customer and lead.email_normalized in plans_by_email:
                    plans[lead.id] = plans_by_email[lead.email_normalized]
                    continue
            else:
                customer = lead.partner_id
            if customer:
                result[lead.id] = (customer, customer)
                continue
            plan = self._plan_customer(lead)
            if not any(plan):
                problems.append(
                    self.env._(
                        "%(lead)s has no company name to create the company from",
                        lead=lead.name,
                    )
                )
            plans[lead.id] = plan
            if lead.email_normalized:
                plans_by_email[lead.email_normalized] = plan
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
        for lead_id, plan in plans.items():
            company, contact = plan[0] or Partner, plan[1] or Partner
            result[lead_id] = (contact or company, company | contact)
        return result, created

    def _plan_customer(self, lead):
        """[company values or False, contact values or False] to create the
        customer of ``lead``, following crm's ``_create_customer``."""
        company = False
        if self.create_company and lead.partner_name:
            company = lead._prepare_customer_values(lead.partner_name, is_company=True)
            company.update(function=False, title=False)
        contact = False
        if self.create_contact:
            name = self._get_contact_name(lead) or (not company and lead.name)
            contact = name and lead._prepare_customer_values(name)
        return [company, contact]

    def _plan_contact(self, lead, company, matches):
        """The contact of ``lead`` under the existing ``company``: its contact
        with the same email or phone, else values to create one."""
        existing = next(
            (
                partner
                for partner, __, rules in matches.get(lead.id, [])
                if rules & {"email", "phone"}
                and not partner.is_company
                and partner.commercial_partner_id == company
            ),
            False,
        )
        if existing:
            return existing
        name = self._get_contact_name(lead)
        return name and lead._prepare_customer_values(name, parent_id=company.id)

    def _get_contact_name(self, lead):
        if lead.contact_name:
            return lead.contact_name
        return (
            parse_contact_from_email(lead.email_from)[0] if lead.email_from else False
        )

    def _create_planned(self, plans, position):
        """Create in one batch the partners planned at ``position`` (0 for
        companies, 1 for contacts) and put the records in their place."""
        # leads sharing a customer share their plan: create it once
        to_create = list(
            {
                id(plan): plan
                for plan in plans.values()
                if isinstance(plan[position], dict)
            }.values()
        )
        if not to_create:
            return self.env["res.partner"]
        partners = self.env["res.partner"].create(
            [plan[position] for plan in to_create]
        )
        for plan, partner in zip(to_create, partners, strict=True):
            plan[position] = partner
        return partners

    def _convert_keep_leads(self, leads, customers):
        """Customers only: the leads stay leads with the Customer status, linked
        to their customer, and leave the open leads."""
        values = {
            "lead_status_id": self.env.ref("lead_management.lead_status_customer").id,
            "date_conversion": self.env.cr.now(),
            "converted_by_id": self.env.uid,
        }
        leads = leads.with_context(lead_conversion_write=CONVERSION_WRITE)
        for customer, group in leads.grouped(
            lambda lead: customers[lead.id][0]
        ).items():
            group.write(dict(values, partner_id=customer.id) if customer else values)

    def _log_conversion(self, leads, customers, created, overridden):
        """Write what the conversion did in the chatter of the leads and of
        their customers (templates ``crm_lead_message_conversion`` and
        ``res_partner_message_conversion``)."""
        if not leads:
            return
        leads._message_log_with_view(
            "lead_conversion.crm_lead_message_conversion",
            render_values={
                "conversion_partners": {
                    lead.id: customers[lead.id][1] for lead in leads
                },
                "created_partners": created,
                "create_opportunity": not self._keeps_leads(),
                "overridden": {
                    lead.id: lead._get_qualification_summary()[0] for lead in overridden
                },
            },
        )
        leads_by_partner = {}
        for lead in leads:
            for partner in customers[lead.id][1]:
                leads_by_partner.setdefault(partner.id, self.env["crm.lead"])
                leads_by_partner[partner.id] |= lead
        if leads_by_partner:
            self.env["res.partner"].browse(leads_by_partner)._message_log_with_view(
                "lead_conversion.res_partner_message_conversion",
                render_values={
                    "conversion_leads": leads_by_partner,
                    "created_partners": created,
                },
            )
