"""Contacts (users and leads): CRUD, list, search, company links, ticket contact lookups."""
