"""Plain sentences read as CRM actions: the verbs (``verbs``) and the whole reading
(``reader``). Pure reading, no database: references are resolved by the command."""
