"""Ticketry as the Intercom that integration tests run against: the pytest plugin."""

from ticketry.testing.kit import TicketryServer, TicketryWorkspace

__all__ = ["TicketryServer", "TicketryWorkspace"]
