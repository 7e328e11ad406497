"""Entry standards and one record per real customer: normalising, duplicates, merges, findings."""
