import logging
import random
import threading
from ast import literal_eval
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import str2bool

from .crm_lead import defer_scoring

_logger = logging.getLogger(__name__)

#: order in which a team with a minimum score hands out its leads: the best
#: scores first, then crm's own order (probability, then the oldest lead)
SCORE_ORDER = "lead_score DESC, probability DESC, id"


class CrmTeam(models.Model):
    _inherit = "crm.team"

    min_score = fields.Integer(
        string="Minimum Score",
        default=0,
        groups="sales_team.group_sale_manager",
        help="Only leads whose score reaches this minimum are assigned to this "
        "team, the highest scores first. 0: no minimum, leads are assigned as "
        "crm assigns them.",
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

    _sql_constraints = [
        (
            "min_score_positive",
            "CHECK(min_score >= 0)",
            "The minimum score of a sales team cannot be negative "
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

    def _get_scoring_minimum(self):
        """The team's minimum score, whoever asks: the field is for Sales
        Administrators, but crm's assignment also runs for Settings
        administrators and as the cron's user, and the "Qualified Leads"
        count shown to salespersons applies it (counting only the leads they
        see)."""
        self.ensure_one()
        return self.sudo().min_score  # sudo: see above

    def _has_scoring_minimum(self):
        self.ensure_one()
        return self._get_scoring_minimum() > 0

    def _get_scoring_allocation_domain(self):
        """Unassigned leads the team may receive: its assignment domain and
        its minimum score."""
        self.ensure_one()
        min_score = self._get_scoring_minimum()
        return expression.AND(
            [
                literal_eval(self.assignment_domain or "[]"),
                [("team_id", "=", False), ("user_id", "=", False)],
                [("lead_score", ">=", min_score)] if min_score > 0 else [],
            ]
        )

    def _allocate_leads(self, creation_delta_days=7):
        """Teams without a minimum score are allocated by crm, untouched.

        crm searches each team's leads inline in this method (no hook for the
        domain or the order of that search), so teams with a minimum score are
        served here first: each receives the unassigned leads of its domain
        reaching its minimum, the highest scores first, every lead going
        through crm's own ``_allocate_leads_deduplicate`` (team, merge of
        duplicates). Then crm allocates what remains among the other teams."""
        with_minimum = self.filtered(
            lambda team: team.assignment_max and team._has_scoring_minimum()
        )
        teams_data = {}
        if with_minimum:
            teams_data = with_minimum._allocate_leads_by_score(creation_delta_days)
        if self - with_minimum:
            teams_data.update(
                super(CrmTeam, self - with_minimum)._allocate_leads(
                    creation_delta_days=creation_delta_days
                )
            )
        return teams_data

    def _allocate_leads_by_score(self, creation_delta_days):
        """crm's allocation (weighted random choice of the team, one lead at a
        time, commits by bundle) for teams with a minimum score, each team
        taking its best remaining lead."""
        # sudo: system parameters are readable by Settings administrators only
        get_param = self.env["ir.config_parameter"].sudo().get_param
        delay = float(get_param("crm.assignment.delay", default=0))
        commit_size = int(get_param("crm.assignment.commit.bundle", 100))
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        now = self.env.cr.now()
        # the leads allocated are scored by bundle (_score_allocated)
        teams = defer_scoring(self)
        Lead = teams.env["crm.lead"]

        teams_data, population, weights = {}, [], []
        duplicates_cache = {}
        for team in teams:
            domain = expression.AND(
                [
                    team._get_scoring_allocation_domain(),
                    [("create_date", "<=", now - timedelta(hours=delay))],
                    Lead._get_scoring_scope_domain(),
                ]
            )
            if creation_delta_days > 0:
                domain = expression.AND(
                    [
                        domain,
                        [
                            (
                                "create_date",
                                ">",
                                now - timedelta(days=creation_delta_days),
                            )
                        ],
                    ]
                )
            leads = Lead.search(domain, order=SCORE_ORDER)
            for lead in leads:
                if lead not in duplicates_cache:
                    duplicates_cache[lead] = lead._get_lead_duplicates(
                        email=lead.email_from
                    )
            teams_data[team] = {
                "team": team,
                "leads": leads,
                "assigned": set(),
                "merged": set(),
                "duplicates": set(),
            }
            population.append(team)
            weights.append(team.assignment_max)

        done_ids, unlink_ids, to_score, counter = set(), set(), set(), 0
        while population:
            counter += 1
            team = random.choices(population, weights=weights, k=1)[0]
            data = teams_data[team]
            data["leads"] = (
                data["leads"].filtered(lambda lead: lead.id not in done_ids).exists()
            )
            if not data["leads"]:
                index = population.index(team)
                population.pop(index)
                weights.pop(index)
                continue
            result = team._allocate_leads_deduplicate(
                data["leads"][0], duplicates_cache=duplicates_cache
            )
            for key in ("assigned", "merged", "duplicates"):
                data[key].update(result[key])
                done_ids.update(result[key])
            unlink_ids.update(result["duplicates"])
            to_score.update(result["assigned"], result["merged"])
            if auto_commit and counter % commit_size == 0:
                Lead.browse(unlink_ids).unlink()
                unlink_ids = set()
                self._score_allocated(to_score)
                to_score = set()
                self.env.cr.commit()  # pylint: disable=invalid-commit
        Lead.browse(unlink_ids).unlink()
        self._score_allocated(to_score)
        if auto_commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        for team, data in teams_data.items():
            _logger.info(
                "## Assigned %s leads to team %s (minimum score %s)",
                len(data["assigned"]) + len(data["merged"]),
                team.id,
                team._get_scoring_minimum(),
            )
        return {team.with_env(self.env): data for team, data in teams_data.items()}

    @api.model
    def _score_allocated(self, lead_ids):
        """Rescore the leads allocated since the last bundle (merges may change
        what they match)."""
        self.env["crm.lead"].browse(lead_ids).exists()._scoring_rescore_leads()

    def _get_lead_to_assign_domain(self):
        # salespersons of a team with a minimum score only receive its leads
        # reaching it; the other teams' leads are crm's
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
                        [
                            ("team_id", "=", team.id),
                            ("lead_score", ">=", team._get_scoring_minimum()),
                        ]
                        for team in with_minimum
                    ]
                ),
            ]
        )

    def _assign_and_convert_leads(self, force_quota=False):
        """Teams with a minimum score, or keeping assigned leads as leads, hand
        their leads to their salespersons here, the highest scores first; the
        other teams go through crm untouched. Each salesperson is then notified
        once with the leads received."""
        by_score = self.filtered(
            lambda team: team._has_scoring_minimum() or not team.assignment_convert
        )
        result = {}
        if by_score:
            result = by_score._assign_leads_by_score(force_quota)
        if self - by_score:
            result.update(
                super(CrmTeam, self - by_score)._assign_and_convert_leads(
                    force_quota=force_quota
                )
            )
        self._notify_assignment(result)
        return result

    def _assign_leads_by_score(self, force_quota):
        """crm's round robin over the members of each team, within their daily
        quota and their own domain, the best scores first."""
        # sudo: system parameters are readable by Settings administrators only
        get_param = self.env["ir.config_parameter"].sudo().get_param
        commit_size = int(get_param("crm.assignment.commit.bundle", 100))
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        # the leads assigned are scored by bundle
        Lead = defer_scoring(self.env["crm.lead"]).with_context(
            mail_auto_subscribe_no_notify=True
        )
        result, counter = {}, 0
        for team in self:
            quota = {
                member: member._get_assignment_quota(force_quota=force_quota)
                for member in team.crm_team_member_ids
            }
            members = list(
                team.crm_team_member_ids.filtered(
                    lambda member, quota=quota: (
                        not member.assignment_optout and quota[member] > 0
                    )
                ).sorted(lambda member, quota=quota: quota[member], reverse=True)
            )
            if not members:
                continue
            result.update(
                {
                    member: {"assigned": Lead.browse(), "quota": quota[member]}
                    for member in members
                }
            )
            leads = Lead.search(team._get_lead_to_assign_domain(), order=SCORE_ORDER)
            leads_per_member = {
                member: leads.filtered_domain(
                    literal_eval(member.assignment_domain or "[]")
                )
                for member in members
            }
            assigned = Lead.browse()
            for lead in leads:
                if not members:
                    break
                counter += 1
                member = next(
                    (m for m in members if lead in leads_per_member[m]), False
                )
                if not member:
                    continue
                if team.assignment_convert:
                    lead.convert_opportunity(
                        lead.partner_id, user_ids=member.user_id.ids
                    )
                else:
                    lead._handle_salesmen_assignment(user_ids=member.user_id.ids)
                assigned |= lead
                result[member]["assigned"] |= lead
                members.remove(member)
                quota[member] -= 1
                if quota[member] > 0:
                    members.append(member)
                if auto_commit and counter % commit_size == 0:
                    assigned._scoring_rescore_leads()
                    assigned = Lead.browse()
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            assigned._scoring_rescore_leads()
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return {
            member: dict(data, assigned=data["assigned"].with_env(self.env))
            for member, data in result.items()
        }

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
        leads = leads.sorted(lambda lead: (-lead.lead_score, lead.id))
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
