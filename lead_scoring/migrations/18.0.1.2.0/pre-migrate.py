def migrate(cr, version):
    """The time-based example rule is now "Expected closing within 30 days":
    keep its record under the new identifier."""
    cr.execute(
        """
        UPDATE ir_model_data
           SET name = 'crm_lead_scoring_rule_closing_soon'
         WHERE module = 'lead_scoring'
           AND name = 'crm_lead_scoring_rule_old_lead'
        """
    )
