"""Jobs: work accepted now and done by each server process's worker."""
