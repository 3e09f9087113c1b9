"""One id sequence for tickets and conversations, as Intercom has: an id names one object,
and a conversation converted to a ticket keeps its id. The sequence is the tickets' own
(PostgreSQL's serial sequence; SQLite's AUTOINCREMENT counter), so ticket creation and the
bulk seed stay as they are and conversations draw from it too."""

from __future__ import annotations

from ticketry.db.database import Conn

_SQLITE_ENSURE = (
    "INSERT INTO sqlite_sequence (name, seq) SELECT 'tickets', "
    "(SELECT coalesce(max(id), 0) FROM tickets) "
    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'tickets')"
)
# The next id AUTOINCREMENT would hand out, taken: a later ticket gets the one after.
_SQLITE_NEXT = "UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'tickets' RETURNING seq"
_PG_NEXT = "SELECT nextval(pg_get_serial_sequence('tickets', 'id'))"


def next_object_id(conn: Conn) -> int:
    if conn.dialect == "postgresql":
        return int(conn.scalar(_PG_NEXT))
    conn.execute(_SQLITE_ENSURE)  # no ticket was ever made: the counter row is not there yet
    return int(conn.scalar(_SQLITE_NEXT))
