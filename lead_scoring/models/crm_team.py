import logging
from ast import literal_eval
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import str2bool

from .crm_lead import AssignmentRouting

_logger = logging.getLogger(__name__)

#: a team's minimums: (field of the team, score field of the lead it applies to)
TEAM_MINIMUMS = (
    ("min_score", "lead_score"),
    ("min_fit_score", "fit_score"),
    ("min_engagement_score", "engagement_score"),
)


class CrmTeam(models.Model):
    _inherit = "crm.team"

    min_score = fields.Integer(
        string="Minimum Score",
        default=0,
        groups="sales_team.group_sale_manager",
        help="Only leads whose score reaches this minimum are assigned to this "
        "team, the best priority first. 0: no minimum.",
    )
    min_fit_score = fields.Integer(
        string="Minimum Fit Score",
        default=0,
        groups="sales_team.group_sale_manager",
        help="Only leads whose fit score (who the lead is) reaches this minimum "
        "are assigned to this team. 0: no minimum.",
    )
    min_engagement_score = fields.Integer(
        string="Minimum Engagement Score",
        default=0,
        groups="sales_team.group_sale_manager",
        help="Only leads whose engagement score (what the lead did) reaches "
        "this minimum are assigned to this team. 0: no minimum.",
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
        help="Unassigned leads whose scores reach the team's minimums and that "
        "match its assignment domain.",
    )

    _sql_constraints = [
        (
            "min_score_positive",
            "CHECK(min_score >= 0)",
            "The minimum score of a sales team cannot be negative "
            "(0 means no minimum).",
        ),
        (
            "min_fit_score_positive",
            "CHECK(min_fit_score >= 0)",
            "The minimum fit score of a sales team cannot be negative "
            "(0 means no minimum).",
        ),
        (
            "min_engagement_score_positive",
            "CHECK(min_engagement_score >= 0)",
            "The minimum engagement score of a sales team cannot be negative "
            "(0 means no minimum).",
        ),
    ]

    @api.depends("assignment_domain")
    @api.depends_context("uid")
    def _compute_qualified_lead_count(self):
        Lead = self.env["crm.lead"]
        for team in self:
            team.qualified_lead_count = Lead.search_count(
                expression.AND(
                    [
                        team._get_scoring_allocation_domain(),
                        Lead._get_scoring_scope_domain(),
                    ]
                )
            )

    # ------------------------------------------------------------
    # LEAD ASSIGNMENT (crm's engine)
    # ------------------------------------------------------------

    def _get_scoring_minimum_domain(self):
        """The team's minimums as a domain on leads, whoever asks: the fields
        are for Sales Administrators, but crm's assignment also runs for
        Settings administrators and as the cron's user, and the "Qualified
        Leads" count shown to salespersons applies them (counting only the
        leads they see)."""
        self.ensure_one()
        team = self.sudo()  # sudo: see above
        return [
            (lead_field, ">=", team[team_field])
            for team_field, lead_field in TEAM_MINIMUMS
            if team[team_field] > 0
        ]

    def _has_scoring_minimum(self):
        return bool(self._get_scoring_minimum_domain())

    def _get_scoring_allocation_domain(self):
        """Unassigned leads the team may receive: its assignment domain and
        its minimums."""
        self.ensure_one()
        return expression.AND(
            [
                literal_eval(self.assignment_domain or "[]"),
                [("team_id", "=", False), ("user_id", "=", False)],
                self._get_scoring_minimum_domain(),
            ]
        )

    def _allocate_leads(self, creation_delta_days=7):
        """Teams with a minimum are allocated first, by crm's own loop: its
        search of each team's leads also requires the team's minimums and
        hands out the best priority first (``AssignmentRouting``). Then crm
        allocates what remains among the other teams, untouched."""
        routed = self.filtered(
            lambda team: team.assignment_max and team._has_scoring_minimum()
        )
        teams_data = {}
        if routed:
            # sudo: system parameters are readable by Settings administrators only
            delay = float(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("crm.assignment.delay", default=0)
            )
            routing = AssignmentRouting(
                allocation=routed,
                allocation_mark=(
                    "create_date",
                    "<=",
                    self.env.cr.now() - timedelta(hours=delay),
                ),
            )
            routed_data = super(
                CrmTeam, routed.with_context(lead_scoring_routing=routing)
            )._allocate_leads(creation_delta_days=creation_delta_days)
            teams_data = {
                team.with_env(self.env): data for team, data in routed_data.items()
            }
        if self - routed:
            teams_data.update(
                super(CrmTeam, self - routed)._allocate_leads(
                    creation_delta_days=creation_delta_days
                )
            )
        return teams_data

    def _get_lead_to_assign_domain(self):
        # salespersons of a team with minimums only receive its leads
        # reaching them; the other teams' leads are crm's
        domain = super()._get_lead_to_assign_domain()
        with_minimum = self.filtered(lambda team: team._has_scoring_minimum())
        if not with_minimum:
            return domain
        return expression.AND(
            [
                domain,
                expression.OR(
                    [[("team_id", "not in", with_minimum.ids)]]
                    + [
                        expression.AND(
                            [[("team_id", "=", team.id)]]
                            + [[leaf] for leaf in team._get_scoring_minimum_domain()]
                        )
                        for team in with_minimum
                    ]
                ),
            ]
        )

    def _assign_and_convert_leads(self, force_quota=False):
        """Teams with a minimum, or keeping assigned leads as leads, hand out
        their leads by crm's own round robin, the best priority first, those
        keeping leads as leads without converting them
        (``AssignmentRouting``); the other teams go through crm untouched.
        Each salesperson is then notified once with the leads received."""
        routed = self.filtered(
            lambda team: team._has_scoring_minimum() or not team.assignment_convert
        )
        result = {}
        if routed:
            routed_data = super(
                CrmTeam,
                routed.with_context(
                    lead_scoring_routing=AssignmentRouting(assigning=True)
                ),
            )._assign_and_convert_leads(force_quota=force_quota)
            result = {
                member.with_env(self.env): dict(
                    data, assigned=data["assigned"].with_env(self.env)
                )
                for member, data in routed_data.items()
            }
        if self - routed:
            result.update(
                super(CrmTeam, self - routed)._assign_and_convert_leads(
                    force_quota=force_quota
                )
            )
        self._notify_assignment(result)
        return result

    def _notify_assignment(self, members_data):
        """One message per salesperson listing the leads received, unless
        turned off (system parameter ``lead_scoring.assignment_notify``)."""
        # sudo: system parameters are readable by Settings administrators only
        notify = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("lead_scoring.assignment_notify", "True")
        )
        if not str2bool(notify, default=True):
            return
        leads_by_user = {}
        for member, data in members_data.items():
            if data["assigned"]:
                user = member.user_id
                leads_by_user[user] = leads_by_user.get(user, data["assigned"][:0])
                leads_by_user[user] |= data["assigned"]
        for user, leads in leads_by_user.items():
            self._notify_assigned_leads(user, leads)

    def _notify_assigned_leads(self, user, leads):
        """Send ``user`` one notification listing the ``leads`` assigned."""
        leads = leads.sorted(
            lambda lead: (lead.lead_priority, -lead.lead_score, lead.id)
        )
        env = self.with_context(lang=user.lang).env
        body = env["ir.qweb"]._render(
            "lead_scoring.message_lead_assignment_digest",
            {"leads": leads.with_env(env), "user": user},
        )
        user.partner_id.message_notify(
            partner_ids=user.partner_id.ids,
            subject=env._("New leads assigned to you (%(count)s)", count=len(leads)),
            body=body,
            model_description=env._("Lead Assignment"),
        )
