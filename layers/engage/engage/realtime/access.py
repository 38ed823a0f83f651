"""The realtime side's port to the chat domain (issue 9 "Realtime"): who an end user is and
what they may see. The functions it calls belong to other groups (`engage.endusers.auth`,
`engage.conversations.access`); they load on first use, so a `ping` or a fan-out of campaign
progress pays for neither (STYLE.md rule 7), and the tests fake these three functions only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EndUserIdentity:
    """An authenticated end user: the tenant, the tenant's own id for them (`user_id`), their
    contact id when they are known already, and the id of the API key they came with (its
    revocation closes the socket: standing.py)."""

    tenant_id: str
    user_id: str
    contact_id: str | None
    key_id: str | None = None


def end_user(api_key: str | None, user_id: str | None, user_hash: str | None) -> EndUserIdentity:
    """Authenticate an end user's socket from its query parameters (`api_key`, `user_id`,
    `user_hash`: engage/endusers/auth.py); raises Unauthorized (the handshake gets 401)."""
    from engage.endusers.auth import authenticate

    found = authenticate(api_key, user_id, user_hash)
    contact_id = contact_of(found.tenant_id, found.user_id)
    return EndUserIdentity(found.tenant_id, found.user_id, contact_id, found.key_id)


def contact_of(tenant_id: str, user_id: str) -> str | None:
    """The contact id of the tenant's end user `user_id`, None before they were identified."""
    from engage.conversations.access import contact_id_of_end_user

    return contact_id_of_end_user(tenant_id, user_id)


def visible_contact(tenant_id: str, conversation_id: str, end_user_id: str | None) -> str | None:
    """The contact id of `conversation_id` when the caller may see it, else None: a team member
    (`end_user_id` None) sees the tenant's conversations, an end user only their own."""
    from engage.conversations.access import visible_conversation

    ref = visible_conversation(tenant_id, conversation_id, end_user_id=end_user_id)
    return None if ref is None else ref.contact_id
