"""Tickets: create, read, update, delete, replies, tags, and their parts as history."""
