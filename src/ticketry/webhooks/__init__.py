"""Webhooks: subscriptions, notifications fanned out from the event log, their delivery."""
