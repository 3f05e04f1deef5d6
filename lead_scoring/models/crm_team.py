from markupsafe import Markup

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval


class CrmTeam(models.Model):
    _inherit = "crm.team"

    min_score = fields.Integer(
        string="Minimum Score",
        default=0,
        groups="sales_team.group_sale_manager",
        help="Only leads whose score reaches this minimum are assigned to this team.",
    )
    assignment_convert = fields.Boolean(
        string="Convert Assigned Leads",
        default=True,
        help="Convert the leads assigned to the team's salespersons into "
        "opportunities. When off, they stay leads with a salesperson.",
    )
    qualified_lead_count = fields.Integer(
        string="Qualified Leads",
        compute="_compute_qualified_lead_count",
        help="Unassigned leads whose score reaches the team's minimum and that "
        "match its assignment domain.",
    )

    @api.depends("assignment_domain")
    @api.depends_context("uid")
    def _compute_qualified_lead_count(self):
        Lead = self.env["crm.lead"]
        for team in self:
            team_sudo = team.sudo()
            domain = expression.AND(
                [
                    safe_eval(team_sudo.assignment_domain or "[]"),
                    [
                        ("team_id", "=", False),
                        ("user_id", "=", False),
                        ("lead_score", ">=", team_sudo.min_score),
                    ],
                    Lead._get_scoring_scope_domain(),
                ]
            )
            team.qualified_lead_count = Lead.search_count(domain)

    def _allocate_leads(self, creation_delta_days=7):
        """Allocate to each team only the leads whose score reaches its
        minimum, the highest scores first."""
        field = self._fields["assignment_domain"]
        # leads are rescored once at the end instead of at each write
        teams = self.with_context(
            lead_scoring_allocation=True, lead_scoring_no_recompute=True
        )
        try:
            # crm searches each team's leads with its assignment domain: give
            # it the domain with the minimum score added (in cache only)
            for team in teams.sudo():
                domain = expression.AND(
                    [
                        safe_eval(team.assignment_domain or "[]"),
                        [("lead_score", ">=", team.min_score)],
                    ]
                )
                self.env.cache.set(team, field, repr(domain))
            teams_data = super(CrmTeam, teams)._allocate_leads(
                creation_delta_days=creation_delta_days
            )
        finally:
            self.invalidate_recordset(["assignment_domain"])
        lead_ids = set()
        for data in teams_data.values():
            lead_ids.update(data["assigned"], data["merged"])
        self.env["crm.lead"].browse(lead_ids).exists().sudo()._score_leads()
        return teams_data

    def _get_lead_to_assign_domain(self):
        # salespersons only receive their team's leads reaching its minimum
        return expression.AND(
            [
                super()._get_lead_to_assign_domain(),
                expression.OR(
                    [
                        [
                            ("team_id", "=", team.id),
                            ("lead_score", ">=", team.min_score),
                        ]
                        for team in self.sudo()
                    ]
                    or [[]]
                ),
            ]
        )

    def _assign_and_convert_leads(self, force_quota=False):
        """Assign the highest scores first, convert them or not as the team
        says, and notify each salesperson once with the leads received."""
        result = super(
            CrmTeam,
            self.with_context(
                lead_scoring_assignment=True, lead_scoring_no_recompute=True
            ),
        )._assign_and_convert_leads(force_quota=force_quota)
        assigned = self.env["crm.lead"].union(
            *(data["assigned"] for data in result.values())
        )
        assigned.with_env(self.env).sudo()._score_leads()
        leads_by_user = {}
        for member, data in result.items():
            if data["assigned"]:
                user = member.user_id
                leads_by_user[user] = leads_by_user.get(user, data["assigned"][:0])
                leads_by_user[user] |= data["assigned"]
        for user, leads in leads_by_user.items():
            self._notify_assigned_leads(user, leads.with_env(self.env))
        return result

    def _notify_assigned_leads(self, user, leads):
        """Send ``user`` one notification listing the ``leads`` assigned."""
        items = Markup("").join(
            Markup('<li><a href="/odoo/crm.lead/%s">%s</a> (%s)</li>')
            % (lead.id, lead.name, self.env._("score %(score)s", score=lead.lead_score))
            for lead in leads.sorted(lambda lead: (-lead.lead_score, lead.id))
        )
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._("%(count)s new leads were assigned to you:", count=len(leads)),
            items,
        )
        user.partner_id.sudo().message_notify(
            partner_ids=user.partner_id.ids,
            subject=self.env._(
                "New leads assigned to you (%(count)s)", count=len(leads)
            ),
            body=body,
            model_description=self.env._("Lead Assignment"),
        )
