from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..hooks import is_uninstalling

#: status of the leads existing at install, from their crm stage (leads won,
#: lost or in another stage: see ``crm.lead._init_existing_leads``). A lead
#: that does not meet the BANT qualification a status requires gets
#: ``STATUS_NOT_QUALIFIED`` instead.
STATUS_BY_CRM_STAGE = {
    "crm.stage_lead2": "lead_management.lead_status_qualified",  # Qualified
    "crm.stage_lead3": "lead_management.lead_status_qualified",  # Proposition
}
STATUS_NOT_QUALIFIED = "lead_management.lead_status_interested"


class CrmLeadStatus(models.Model):
    _name = "crm.lead.status"
    _description = "Lead Status"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="This status is folded in the leads kanban when it has no records "
        "to display.",
    )
    is_unknown = fields.Boolean(
        string="Fallback Status",
        readonly=True,
        help="Leads whose status is deleted get this status. It cannot be deleted.",
    )
    requires_qualification = fields.Boolean(
        string="Requires BANT Qualification",
        help="Only leads qualified by BANT (their BANT score reaches the "
        "company's threshold) can be moved to this status, and a lead in it "
        "cannot lose its qualification.",
    )
    description = fields.Text(translate=True)
    lead_count = fields.Integer(compute="_compute_lead_count")

    def _compute_lead_count(self):
        counts = dict(
            self.env["crm.lead"]._read_group(
                [("lead_status_id", "in", self.ids)],
                ["lead_status_id"],
                ["__count"],
            )
        )
        for status in self:
            status.lead_count = counts.get(status, 0)

    @api.constrains("is_unknown", "requires_qualification")
    def _check_fallback_requires_no_qualification(self):
        for status in self:
            if status.is_unknown and status.requires_qualification:
                raise ValidationError(
                    self.env._(
                        "The fallback status %(name)s cannot require a BANT "
                        "qualification: leads whose status is deleted move to it.",
                        name=status.name,
                    )
                )

    @api.model
    def _get_status_by_crm_stage(self):
        """{crm stage: status} for the leads existing at install that are
        neither won nor lost; crm's stages missing from the database are
        left out."""
        result = {}
        for stage_xmlid, status_xmlid in STATUS_BY_CRM_STAGE.items():
            stage = self.env.ref(stage_xmlid, raise_if_not_found=False)
            status = self.env.ref(status_xmlid, raise_if_not_found=False)
            if stage and status:
                result[stage] = status
        return result

    @api.model
    def _get_not_qualified_status(self):
        """The status an existing lead gets at install instead of one
        requiring a BANT qualification it does not meet."""
        status = self.env.ref(STATUS_NOT_QUALIFIED, raise_if_not_found=False)
        if not status or status.requires_qualification:
            status = self.env["crm.lead"]._default_lead_status_id()
        return status or self._get_fallback()

    @api.model
    def _get_fallback(self):
        return self.search([("is_unknown", "=", True)], limit=1)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_fallback(self):
        if self.filtered("is_unknown"):
            raise UserError(
                self.env._(
                    "The status %(name)s is the fallback status of leads whose "
                    "status is deleted: it cannot be deleted. Rename it instead.",
                    name=self.filtered("is_unknown")[0].name,
                )
            )

    def unlink(self):
        if is_uninstalling(self.env):
            # uninstalling: the leads' status column goes with the addon
            return super().unlink()
        self._unlink_except_fallback()  # before moving the leads
        fallback = self._get_fallback()
        # sudo: every lead of the deleted statuses moves to the fallback, the
        # leads of the other companies included (statuses are shared)
        leads = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search([("lead_status_id", "in", self.ids)])
        )
        if leads:
            leads.write({"lead_status_id": fallback.id})
        return super().unlink()

    def action_open_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action["domain"] = [("lead_status_id", "=", self.id)]
        action["context"] = {"default_lead_status_id": self.id, "default_type": "lead"}
        return action
