"""Ticket states: the four categories, default and custom states with their two labels."""
