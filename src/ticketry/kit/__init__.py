"""Domain-free building blocks: versions, wire models, auth, pagination, responses."""
