"""The teammates' browser inbox: sign-in, the ticket list, ticket pages, settings."""
