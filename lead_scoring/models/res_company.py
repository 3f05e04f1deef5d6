from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

#: the thresholds of the lead priority: {field: default}
PRIORITY_THRESHOLDS = {
    "lead_fit_grade_a": 40,
    "lead_fit_grade_b": 20,
    "lead_engagement_level_1": 25,
    "lead_engagement_level_2": 10,
}


class ResCompany(models.Model):
    _inherit = "res.company"

    lead_fit_grade_a = fields.Integer(
        string="Fit Grade A From",
        default=PRIORITY_THRESHOLDS["lead_fit_grade_a"],
        help="A lead whose fit score reaches this is graded A (who it is: the "
        "best customers).",
    )
    lead_fit_grade_b = fields.Integer(
        string="Fit Grade B From",
        default=PRIORITY_THRESHOLDS["lead_fit_grade_b"],
        help="A lead whose fit score reaches this, below grade A, is graded B; "
        "below it, C.",
    )
    lead_engagement_level_1 = fields.Integer(
        string="Engagement Level 1 From",
        default=PRIORITY_THRESHOLDS["lead_engagement_level_1"],
        help="A lead whose engagement score reaches this is at level 1 (what it "
        "did: the most engaged).",
    )
    lead_engagement_level_2 = fields.Integer(
        string="Engagement Level 2 From",
        default=PRIORITY_THRESHOLDS["lead_engagement_level_2"],
        help="A lead whose engagement score reaches this, below level 1, is at "
        "level 2; below it, 3.",
    )

    @api.constrains(*PRIORITY_THRESHOLDS)
    def _check_lead_priority_thresholds(self):
        for company in self:
            if min(company[name] for name in PRIORITY_THRESHOLDS) < 1:
                raise ValidationError(
                    self.env._(
                        "The lead priority thresholds of %(company)s must be at "
                        "least 1: a lead without points is C3.",
                        company=company.name,
                    )
                )
            if company.lead_fit_grade_b > company.lead_fit_grade_a:
                raise ValidationError(
                    self.env._(
                        "The fit grade B threshold of %(company)s (%(b)s) is "
                        "above its grade A threshold (%(a)s).",
                        company=company.name,
                        a=company.lead_fit_grade_a,
                        b=company.lead_fit_grade_b,
                    )
                )
            if company.lead_engagement_level_2 > company.lead_engagement_level_1:
                raise ValidationError(
                    self.env._(
                        "The engagement level 2 threshold of %(company)s (%(two)s) "
                        "is above its level 1 threshold (%(one)s).",
                        company=company.name,
                        one=company.lead_engagement_level_1,
                        two=company.lead_engagement_level_2,
                    )
                )

    @api.model
    @tools.ormcache()
    def _get_priority_threshold_groups(self):
        """The companies' lead priority thresholds (values of
        PRIORITY_THRESHOLDS, in that order), grouped: a tuple of (thresholds,
        company ids), the most common first. Cleared when a company is created
        or its thresholds change."""
        # sudo: every company grades its leads, whoever scores them
        companies = (
            self.sudo()
            .with_context(active_test=False)
            .search_read([], list(PRIORITY_THRESHOLDS), order="id")
        )
        groups = {}
        for company in companies:
            thresholds = tuple(company[name] for name in PRIORITY_THRESHOLDS)
            groups.setdefault(thresholds, []).append(company["id"])
        return tuple(
            (thresholds, tuple(ids))
            for thresholds, ids in sorted(
                groups.items(), key=lambda item: (-len(item[1]), item[1][0])
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env.registry.clear_cache()  # _get_priority_threshold_groups
        return companies

    def write(self, vals):
        changed = self.browse()
        if set(PRIORITY_THRESHOLDS) & set(vals):
            changed = self.filtered(
                lambda company: any(
                    name in vals and company[name] != vals[name]
                    for name in PRIORITY_THRESHOLDS
                )
            )
        res = super().write(vals)
        if changed:
            self.env.registry.clear_cache()  # _get_priority_threshold_groups
            # every lead's priority again, set-based (in the background
            # beyond lead_scoring.sync_rescore_limit leads); the leads without
            # company are graded with the main company's thresholds
            self.env["crm.lead.scoring.job"]._scoring_request_rescore(companies=changed)
        return res


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        res = super().write(vals)
        if "tz" in vals:
            # the time zone of the day the scoring rules read
            # (crm.lead.scoring.rule._get_scoring_timezone)
            company = self.env.ref("base.main_company", raise_if_not_found=False)
            admin = self.env.ref("base.user_admin", raise_if_not_found=False)
            partner_ids = {
                record.partner_id.id for record in (company, admin) if record
            }
            if partner_ids & set(self.ids):
                self.env.registry.clear_cache()
        return res
