"""Intercom's search query language, shared by every searchable resource.

A resource declares its allowlist once (`fields.Fields`: name -> type + SQL target), then a
request goes `parse.search_request` (JSON -> typed tree, every rejection a 400 naming the
query path) -> `compile.where` (tree -> SQLAlchemy Core condition) -> `paging.fetch_page`
(keyset page, `total_count`, opaque `pages.next`). Contacts (`contacts/queries.py::FIELDS`)
and tickets (`tickets/search.py::fields`) each declare their own `Fields`.
"""
