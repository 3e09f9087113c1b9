"""Ticket types and their attributes: definitions, wire shapes and ticket value validation."""
