"""Teams: `GET /teams`, `GET /teams/{id}` (created by operators; Intercom's API cannot)."""
