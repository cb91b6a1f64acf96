"""The platform database: tables, sessions and migrations. Only the API process writes to it."""
