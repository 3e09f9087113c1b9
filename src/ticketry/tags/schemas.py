"""The `POST /tags` payload: `{name}` creates (or finds), `{name, id}` renames."""

from __future__ import annotations

from typing import Any

from ticketry.kit.wire import IdStr, Payload


class TagWrite(Payload):
    # `name` is checked by the service so every way of getting it wrong (absent, null,
    # not a string, blank) answers Intercom's 400 parameter_invalid.
    name: Any = None
    id: IdStr | None = None
    # The other shapes POST /tags accepts (tagging companies or users) are not served.
    companies: Any = None
    users: Any = None
