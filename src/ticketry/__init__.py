"""Ticketry: a self-hostable ticketing server that speaks Intercom's Tickets REST API."""

__version__ = "0.1.0"
