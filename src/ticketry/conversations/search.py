"""POST /conversations/search: the conversation fields of Intercom's query language, compiled
to SQL with the shared search machinery (`search/`).

Fields are Intercom's "support first" table (reference §H, the same from 2.9 to 2.16) plus
`source.id`, `source.subject` and `source.author.name`. Where Intercom is silent we decided:
- results come newest first (by id, which never changes), so paging is stable while
  conversations are created or updated, as for tickets;
- `admin_assignee_id` / `team_assignee_id` are Integer here (String in ticket search):
  numeric strings are coerced, and 0 (or "0", or null) means unassigned, as 2.16 renders it;
  `> 0` means assigned to anyone;
- `teammate_ids` are the admins who wrote a part, as `teammates` renders them;
- `source.author.email` / `.name` are the contact's or the admin's (email ignores case);
- `priority` is stored as a flag: "priority" (up to 2.15) and "urgent" (2.16) mean set,
  "not_priority" and "none" mean not set; 2.16's "low", "medium" and "high" are accepted and
  match no conversation, since none is ever rendered with them;
- `source.body`: see `_body`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from ticketry.conversations import queries
from ticketry.conversations.queries import ConversationView
from ticketry.db.database import Conn
from ticketry.kit import ids
from ticketry.search import compile as search_compile
from ticketry.search import paging
from ticketry.search.fields import Field, Fields, FieldType
from ticketry.search.parse import SearchBody, SearchRequest, search_request
from ticketry.tables import (
    admins,
    contacts,
    conversation_contacts,
    conversation_parts,
    conversation_tags,
    conversations,
)

DEFAULT_PER_PAGE = 20
ORDER = (paging.SortKey(conversations.c.id, int, descending=True),)
STATES = ("open", "closed", "snoozed")
# Intercom's accepted `source.type` values (2.14 searchConversations); Ticketry stores only
# the first two, the rest are accepted and match nothing.
SOURCE_TYPES = (
    "conversation",
    "email",
    "facebook",
    "instagram",
    "phone_call",
    "phone_switch",
    "push",
    "sms",
    "twitter",
    "whatsapp",
)
PRIORITIES = {"priority": True, "urgent": True, "not_priority": False, "none": False}
UNRENDERED_PRIORITIES = ("low", "medium", "high")
_EQUALITY = ("=", "!=", "IN", "NIN")
_POSITIVE_OF = {"!=": "=", "NIN": "IN", "!~": "~"}

# What tickets/replies.py::to_html wraps plain text in, undone, plus the entities a client's
# own HTML commonly carries. `&amp;` goes last, so a typed "&lt;" stays "&lt;".
_MARKUP = (
    ("</p><p>", " "),
    ("<p>", ""),
    ("</p>", ""),
    ("<br>", " "),
    ("&nbsp;", " "),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&#x27;", "'"),
    ("&amp;", "&"),
)
# A body's words are runs of these characters; any other (ASCII) character separates them.
_WORD_CLASS = "A-Za-z0-9_\u0080-\U0010ffff"
_WORD = re.compile(f"[{_WORD_CLASS}]+")


def _int_id(value: str) -> int:
    found = ids.parse_id(value)
    if found is None:
        raise ValueError(f"'{value}' is not an id")
    return found


def _one_of(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"use one of {', '.join(allowed)}")
        return value

    return convert


def _negated(operator: str, positive: ColumnElement[bool]) -> ColumnElement[bool]:
    return not_(positive) if operator in _POSITIVE_OF else positive


def _assignee(column: ColumnElement[Any]) -> Field:
    """An Integer assignee id, where 0 (and null) is the unassigned, stored as NULL."""

    def build(operator: str, value: Any) -> ColumnElement[bool]:
        if operator in ("<", "<=", ">", ">="):
            return search_compile.condition(func.coalesce(column, 0), operator, value)
        values = value if operator in ("IN", "NIN") else (value,)
        assigned = [v for v in values if v is not None and v != 0]
        listed = column.in_(assigned) if assigned else false()
        # NOT (NULL IN (...)) is NULL, so each negation says whether it takes the unassigned.
        if None in values or 0 in values:
            positive = or_(listed, column.is_(None))
            negative = and_(column.is_not(None), not_(listed))
        else:
            positive, negative = listed, or_(column.is_(None), not_(listed))
        return negative if operator in _POSITIVE_OF else positive

    return Field(FieldType.INTEGER, build=build)


def _priority(operator: str, value: Any) -> ColumnElement[bool]:
    column = conversations.c.priority
    if value is None:
        return search_compile.condition(column, operator, None)
    values = value if operator in ("IN", "NIN") else (value,)
    stored = {v for v in values if isinstance(v, bool)}
    if len(stored) == 2:
        return _negated(operator, true())
    positive = column == stored.pop() if stored else false()
    return _negated(operator, positive)


def _priority_value(value: str) -> bool | str:
    term = value.lower()
    if term in PRIORITIES:
        return PRIORITIES[term]
    if term in UNRENDERED_PRIORITIES:
        return term  # a valid 2.16 level no conversation has
    raise ValueError(f"use one of {', '.join([*PRIORITIES, *UNRENDERED_PRIORITIES])}")


def _body_text(column: ColumnElement[Any]) -> ColumnElement[Any]:
    text: ColumnElement[Any] = column
    for markup, replacement in _MARKUP:
        text = func.replace(text, literal(markup, String), literal(replacement, String))
    return text


class HasWord(ColumnElement[bool]):
    """Whether `word` stands between two separators in `text` (already lowercased and
    padded with a space at each end): a GLOB on SQLite, a regular expression on
    PostgreSQL, with the same character class."""

    # NullType, as tickets/search.py::TextMatch: SQLite would get `... GLOB ... = 1`.
    type = NullType()  # type: ignore[assignment]
    inherit_cache = False

    def __init__(self, text: ColumnElement[Any], word: str) -> None:
        self.text = text
        self.word = word  # only word characters: nothing to escape in either syntax


@compiles(HasWord, "sqlite")
def _has_word_sqlite(element: HasWord, compiler: SQLCompiler, **kw: Any) -> str:
    pattern = f"*[^{_WORD_CLASS}]{element.word}[^{_WORD_CLASS}]*"
    text = compiler.process(element.text, **kw)
    return f"{text} GLOB {compiler.process(bindparam(None, pattern), **kw)}"


@compiles(HasWord, "postgresql")
def _has_word_pg(element: HasWord, compiler: SQLCompiler, **kw: Any) -> str:
    pattern = f"[^{_WORD_CLASS}]{element.word}[^{_WORD_CLASS}]"
    text = compiler.process(element.text, **kw)
    return f"{text} ~ {compiler.process(bindparam(None, pattern), **kw)}"


def _body() -> Field:
    """`source.body`, Intercom's rule (2.14 searchConversations): `=` matches when the value
    is ONE WORD of the body ("support" finds "I need support", "need support" finds
    nothing). Words are the body's text (the <p>/<br> markup and entities Ticketry writes
    removed) split at every ASCII character but letters, digits and "_", compared ignoring
    case; a value that is not a single word matches nothing. `~ !~ ^ $` read the same text
    whole.

    No word index exists: `=` reads every body that contains the value (a plain LIKE
    first, then the word test on those)."""
    body = conversations.c.body
    text = _body_text(body)
    padded = literal(" ", String) + func.lower(text) + literal(" ", String)

    def has_word(word: str) -> ColumnElement[bool]:
        word = word.lower()
        if not _WORD.fullmatch(word):
            return false()
        contains = f"%{search_compile.like_escape(word)}%"
        return and_(func.lower(body).like(contains, escape="\\"), HasWord(padded, word))

    def build(operator: str, value: Any) -> ColumnElement[bool]:
        if value is None or operator not in _EQUALITY:
            return search_compile.condition(text, operator, value)
        values = value if operator in ("IN", "NIN") else (value,)
        return _negated(operator, or_(*(has_word(v) for v in values)))

    return Field(FieldType.STRING, build=build)


def _author(workspace_id: int, contact_column: Any, admin_column: Any, casefold: bool) -> Field:
    """A field of the source's author: the contact's (user or lead) or the admin's. A negative
    operator matches authors without the value, including those with no value at all."""
    author_id, author_type = conversations.c.author_id, conversations.c.author_type
    of_contacts = select(contacts.c.id).where(contacts.c.workspace_id == workspace_id)
    of_admins = select(cast(admins.c.id, String)).where(admins.c.workspace_id == workspace_id)

    def build(operator: str, value: Any) -> ColumnElement[bool]:
        if value is None:
            # Admins always have a name and an email; contacts may lack either.
            lacking = and_(
                author_type != "admin",
                author_id.in_(of_contacts.where(contact_column.is_(None))),
            )
            return lacking if operator == "=" else not_(lacking)
        positive_op = _POSITIVE_OF.get(operator, operator)
        by_contact = search_compile.link_builder(author_id, of_contacts, contact_column)
        by_admin = search_compile.link_builder(author_id, of_admins, admin_column)
        positive = or_(
            and_(author_type != "admin", by_contact(positive_op, value)),
            and_(author_type == "admin", by_admin(positive_op, value)),
        )
        return _negated(operator, positive)

    return Field(FieldType.STRING, build=build, casefold=casefold)


def _link(link: Select[Any], column: ColumnElement[Any], **extra: Any) -> Field:
    return Field(
        FieldType.ID, build=search_compile.link_builder(conversations.c.id, link, column), **extra
    )


def fields(workspace_id: int) -> Fields:
    c = conversations.c
    restricted: dict[str, Any] = {"operators": _EQUALITY}
    return Fields(
        {
            "id": Field(FieldType.ID, column=c.id, convert=_int_id),
            "created_at": Field(FieldType.DATE, column=c.created_at),
            "updated_at": Field(FieldType.DATE, column=c.updated_at),
            "waiting_since": Field(FieldType.DATE, column=c.waiting_since),
            "snoozed_until": Field(FieldType.DATE, column=c.snoozed_until),
            "open": Field(FieldType.BOOLEAN, column=c.open),
            "read": Field(FieldType.BOOLEAN, column=c.read),
            "state": Field(FieldType.STRING, column=c.state, convert=_one_of(STATES), **restricted),
            "priority": Field(
                FieldType.STRING, build=_priority, convert=_priority_value, **restricted
            ),
            "admin_assignee_id": _assignee(c.admin_assignee_id),
            "team_assignee_id": _assignee(c.team_assignee_id),
            "contact_ids": _link(
                select(conversation_contacts.c.conversation_id), conversation_contacts.c.contact_id
            ),
            "teammate_ids": _link(
                select(conversation_parts.c.conversation_id).where(
                    conversation_parts.c.workspace_id == workspace_id,
                    conversation_parts.c.author_type == literal_column("'admin'"),
                ),
                conversation_parts.c.author_id,
            ),
            "tag_ids": _link(
                select(conversation_tags.c.conversation_id),
                conversation_tags.c.tag_id,
                convert=_int_id,
            ),
            "source.type": Field(
                FieldType.STRING, column=c.source_type, convert=_one_of(SOURCE_TYPES), **restricted
            ),
            "source.id": Field(FieldType.ID, column=c.source_id),
            "source.delivered_as": Field(FieldType.STRING, column=c.delivered_as),
            "source.subject": Field(FieldType.STRING, column=c.subject),
            "source.body": _body(),
            "source.author.id": Field(FieldType.ID, column=c.author_id),
            "source.author.type": Field(FieldType.STRING, column=c.author_type),
            "source.author.email": _author(
                workspace_id, contacts.c.email_key, func.lower(admins.c.email), casefold=True
            ),
            "source.author.name": _author(
                workspace_id, contacts.c.name, admins.c.name, casefold=False
            ),
        }
    )


def statement(workspace_id: int, request: SearchRequest) -> Select[Any]:
    condition = search_compile.where(request.query)
    return select(conversations.c.id).where(conversations.c.workspace_id == workspace_id, condition)


@dataclass(slots=True)
class Results:
    conversations: list[ConversationView]
    pages: dict[str, Any]
    total_count: int


def find(conn: Conn, workspace_id: int, body: SearchBody) -> Results:
    """One page of the conversations a search body matches, newest first, without parts."""
    request = search_request(body, fields(workspace_id), DEFAULT_PER_PAGE)
    page = paging.fetch_page(
        conn, statement(workspace_id, request), ORDER, request.per_page, request.starting_after
    )
    wanted = [r["id"] for r in page.rows]
    rows = {
        r["id"]: r
        for r in conn.all(
            select(conversations).where(
                conversations.c.workspace_id == workspace_id, conversations.c.id.in_(wanted)
            )
        )
    }
    views = queries.list_items(conn, workspace_id, [rows[i] for i in wanted if i in rows])
    return Results(views, page.pages(), page.total_count)
