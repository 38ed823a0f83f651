"""Keys and reserved ids of the omnichannel hub's sessions (issue 11, seed 003 section 2),
re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2).

A session is a conversation (`keys_chat.conversation_key`): the hub has no items of its own.
Its one-off voice calls (a transfer to voice) are call-queue items of a reserved voice
campaign per tenant and UTC day (`session_calls_campaign_id`), so they go through the voice
gating (the call semaphore and the per-call state machine) like every other call, and one
campaign's queue (which the voice tick may walk whole) holds one day's calls at most.
"""

from __future__ import annotations

SESSION_CALLS_PREFIX = "SESSIONCALLS"
"""The start of the voice campaign ids of session calls (`engage.voice.session_calls`).
Campaign ids are otherwise ULIDs, which never contain `I`, `L`, `O` or `U`, so these ids
cannot collide."""


def session_calls_campaign_id(at_iso: str) -> str:
    """The session-call campaign of the UTC day of `at_iso` (ISO 8601): `SESSIONCALLS<yyyymmdd>`."""
    return SESSION_CALLS_PREFIX + at_iso[:10].replace("-", "")


def is_session_calls_campaign(campaign_id: str) -> bool:
    """Whether `campaign_id` is one of the reserved campaigns of the hub's session calls."""
    return campaign_id.startswith(SESSION_CALLS_PREFIX)
