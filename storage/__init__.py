"""Everything that speaks SQL: tables, sessions, queries, the search index, migrations."""
