"""Companies: create-or-update by the customer's company_id, lookups, contact counts."""
