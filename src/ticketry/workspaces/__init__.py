"""Workspaces (Intercom's apps): creation, with everything a new workspace starts with."""
