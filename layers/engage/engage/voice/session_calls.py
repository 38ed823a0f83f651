"""One-off calls of the omnichannel hub (issue 11 "a transfer chat -> voice places a gated
call"; seed 003 section 2 `POST /sessions/{sessionId}/transfer`).

A session call is an ordinary call-queue item, so it goes through the voice gating unchanged
(DESIGN.md section 5): the pump takes a slot of the call semaphore (the account's limit and
the system-wide one) and starts one execution of the per-call state machine, which places the
call, waits for the final status callback and releases the slot on every path. When no slot
is free the call waits `queued` and the pump starts it the moment one frees.

The items belong to a reserved voice campaign per tenant and UTC day
(`keys.session_calls_campaign_id`: `SESSIONCALLS<yyyymmdd>`, source `session`, no call
window, one attempt), created by the day's first session call and made `active` again by
each new one (a campaign completes when nothing is left queued); one campaign per day keeps
each queue, which the voice tick's reconcile walks whole, to a day's calls. They are not
seed 002's campaigns: `/api/campaigns` neither lists nor finds them; their calls show in the
account's queue (`/api/queue`, `/api/queue/{call_id}`) like any other. Each item carries
the conversation it serves (`CallQueueItem.conversation_id`).
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.contacts.models import ContactItem
from engage.core import clock, keys
from engage.voice import pump, session_call_store, store
from engage.voice.models import (
    CallQueueItem,
    VoiceCampaignSource,
    VoiceCampaignStatus,
    VoiceQueueStatus,
)

CAMPAIGN_NAME = "Hub session calls"
REACTIVATE_FROM = (
    VoiceCampaignStatus.COMPLETED.value,
    VoiceCampaignStatus.PAUSED.value,
    VoiceCampaignStatus.DRAFT.value,
    VoiceCampaignStatus.CANCELLED.value,
)


@dataclass(frozen=True)
class SessionCall:
    """A queued session call: its public queue id (`/api/queue/{call_id}`) and its status
    right after queueing (`in_progress` when a slot was free, else `queued`)."""

    call_id: str
    status: str


def _ensure_active(tenant_id: str, campaign_id: str) -> None:
    """The session-call campaign exists, is `active` and is in the pump's registry."""
    now = clock.now_iso()
    campaign = store.new_campaign(
        tenant_id,
        campaign_id,
        name=CAMPAIGN_NAME,
        description="Calls placed by session transfers to voice (omnichannel hub)",
        status=VoiceCampaignStatus.ACTIVE.value,
        source=VoiceCampaignSource.SESSION.value,
        max_attempts=1,
        retry_delay_minutes=60,
        created_at=now,
        updated_at=now,
        started_at=now,
    )
    if not session_call_store.create_campaign_if_absent(campaign):
        existing = store.get_campaign(tenant_id, campaign_id)
        if existing is not None and existing.status != VoiceCampaignStatus.ACTIVE:
            store.transition(existing, REACTIVATE_FROM, VoiceCampaignStatus.ACTIVE.value, None)
    store.set_running(tenant_id, campaign_id, True)


def queue_call(
    tenant_id: str, conversation_id: str, contact: ContactItem, agent_id: str | None
) -> SessionCall:
    """Queue one call to `contact`'s phone for the conversation and run the pump, which
    places it at once when the account and the system have a free slot. `agent_id`: the
    member the call connects (the session's agent; Twilio's TWILIO_VOICE_AGENT_URL gets it as
    `{agent_id}`), None for none. The caller checks that the contact has a phone (E.164).
    Answers the call's id and status."""
    now = clock.now_iso()
    campaign_id = keys.session_calls_campaign_id(now)
    _ensure_active(tenant_id, campaign_id)
    counted = store.add_counts(tenant_id, campaign_id, {"total_contacts": 1, "queued": 1})
    if counted is None:  # deleted between the two writes: make it again
        _ensure_active(tenant_id, campaign_id)
        counted = store.add_counts(tenant_id, campaign_id, {"total_contacts": 1, "queued": 1})
    assert counted is not None
    seq = int(counted.total_contacts)
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or None
    item = CallQueueItem(
        *store.item_key(tenant_id, campaign_id, seq),
        campaign_id=campaign_id,
        contact_id=contact.sk,
        name=name,
        phone_e164=contact.phone_e164,
        email=contact.email,
        conversation_id=conversation_id,
        agent_id=agent_id,
        status=VoiceQueueStatus.QUEUED.value,
        attempts=0,
        created_at=now,
        updated_at=now,
        gsi2pk=keys.call_ready_pk(tenant_id, campaign_id),
        gsi2sk=keys.call_ready_sk(now, seq, 0),
        # the customer's history (engage/customers/history.py) lists it among their calls
        gsi3pk=keys.contact_calls_index_pk(tenant_id, contact.sk),
        gsi3sk=keys.contact_calls_index_sk(now, campaign_id, seq),
    )
    session_call_store.put_new_item(item)
    _ensure_active(tenant_id, campaign_id)  # a call that ended meanwhile may have completed it
    pump.pump()
    placed = store.get_item(tenant_id, campaign_id, seq)
    status = placed.status if placed is not None else VoiceQueueStatus.QUEUED.value
    return SessionCall(call_id=keys.voice_queue_item_id(campaign_id, seq), status=str(status))
