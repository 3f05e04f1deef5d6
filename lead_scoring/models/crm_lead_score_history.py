from odoo import fields, models


class CrmLeadScoreHistory(models.Model):
    _name = "crm.lead.score.history"
    _description = "Lead Score History"
    _order = "date desc, id desc"
    _log_access = False
    # a row is visible exactly when its lead is (see ir.rule._compute_domain)
    _lead_access_field = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    old_score = fields.Integer()
    new_score = fields.Integer()
    company_id = fields.Many2one(related="lead_id.company_id")
