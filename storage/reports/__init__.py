"""Report figures: SQL aggregates per kind of report, one module each."""
