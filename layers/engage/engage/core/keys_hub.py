"""Keys and reserved ids of the omnichannel hub's sessions (issue 11, seed 003 section 2),
re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2).

A session is a conversation (`keys_chat.conversation_key`): the hub has no items of its own.
Its one-off voice calls (a transfer to voice) are call-queue items of one reserved voice
campaign per tenant, `SESSION_CALLS_CAMPAIGN_ID`, so they go through the voice gating (the
call semaphore and the per-call state machine) like every other call.
"""

from __future__ import annotations

SESSION_CALLS_CAMPAIGN_ID = "SESSIONCALLS"
"""The voice campaign id of a tenant's session calls (`engage.voice.session_calls`). Campaign
ids are otherwise ULIDs, which never contain `I`, `L`, `O` or `U`, so this id cannot collide."""


def is_session_calls_campaign(campaign_id: str) -> bool:
    """Whether `campaign_id` is the reserved campaign of the hub's session calls."""
    return campaign_id == SESSION_CALLS_CAMPAIGN_ID
