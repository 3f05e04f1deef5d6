"""18.0.1.8.0:

- every lead's priority (fit grade x engagement level) from its stored
  scores and its company's thresholds, one statement;
- a rule whose domain reads the user who runs the scoring (``uid``,
  ``user``) is refused at save; one saved by an earlier version is marked
  broken now, with the reason, and skipped (its leads rescored without it),
  never failing the upgrade."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._update_lead_priorities()
    env["crm.lead.scoring.rule"]._load_scoring_rules()
