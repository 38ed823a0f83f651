"""Who may see a conversation (issue 9 "Isolation"): the one check every read path uses, the
HTTP routes, `/v1/sync` and the realtime fan-out alike.

A team member (`end_user_id` None) sees every conversation of their tenant; an end user only
their own: the conversation's contact must be the contact their external id names. Anything
else (another tenant's id, another end user's conversation, a malformed id) is None, which
callers answer as 404 (or an error frame): never the conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engage.conversations import store
from engage.core.wiretext import is_valid_text
from engage.endusers import store as end_users

_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # `core.ids.new_id`
MAX_EXTERNAL_ID = 256


@dataclass(frozen=True)
class ConversationRef:
    """A conversation the caller may see: its id, its contact (the end user) and tenant."""

    id: str
    contact_id: str
    tenant_id: str


def is_conversation_id(value: str) -> bool:
    """Whether `value` has the shape of a conversation (or message) id."""
    return bool(_ID.match(value))


def is_external_id(value: str) -> bool:
    """Whether `value` can be an end user's external id (1-256 characters of valid text)."""
    return 0 < len(value) <= MAX_EXTERNAL_ID and is_valid_text(value) and value.isprintable()


def contact_id_of_end_user(tenant_id: str, end_user_id: str) -> str | None:
    """The contact id of the tenant's end user `end_user_id` (their external id), or None when
    they have not identified yet (or the id is malformed). One GetItem."""
    if not is_external_id(end_user_id):
        return None
    item = end_users.get(tenant_id, end_user_id)
    return item.contact_id if item is not None else None


def visible_conversation(
    tenant_id: str, conversation_id: str, *, end_user_id: str | None
) -> ConversationRef | None:
    """The conversation if the caller may see it, else None. `end_user_id` is the end user's
    external id (`X-User-Id`), None for a team member of the tenant. At most two GetItems."""
    if not is_conversation_id(conversation_id):
        return None
    contact_id: str | None = None
    if end_user_id is not None:
        contact_id = contact_id_of_end_user(tenant_id, end_user_id)
        if contact_id is None:
            return None
    item = store.get_conversation(tenant_id, conversation_id)
    if item is None or (contact_id is not None and item.contact_id != contact_id):
        return None
    return ConversationRef(id=conversation_id, contact_id=item.contact_id, tenant_id=tenant_id)
