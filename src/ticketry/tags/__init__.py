"""Tags: create, rename, list, find and delete; the lookups ticket tagging uses."""
