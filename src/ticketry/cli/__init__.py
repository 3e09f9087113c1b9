"""The `ticketry` command: serve the API, migrate, and set up workspaces, admins, teams, tokens."""
