def migrate(cr, version):
    """18.0.1.3.0: New or Returning (Lead Analysis groups by it), its column
    created with "new" for every existing lead without rewriting the table
    (``crm.lead._auto_init``): the returning leads, a statement of their
    own."""
    cr.execute(
        "UPDATE crm_lead SET new_or_returning = 'returning'"
        " WHERE is_returning AND new_or_returning IS DISTINCT FROM 'returning'"
    )
