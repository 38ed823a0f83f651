"""A customer's history (seed 003 section 4 `GET /customers/{customerId}/history`): sessions,
campaign messages and calls across channels, newest first, merged by time, `limit` applied
after the merge. Every source is read by key (no Scan), each bounded by `limit`:

- sessions: the contact's conversations (`conversations.store.contact_conversation_ids`,
  newest first, then one BatchGetItem); `created_at` is the conversation's, `summary` the first
  line of its latest text message, neither a private note nor a system record (a transfer
  event, a rating request), among its newest 20 (one or two Queries per session on the page);
- campaign messages: the campaigns sending or sent in the last CUSTOMER_HISTORY_CAMPAIGN_DAYS
  (one Query of the campaign partition, `attribution.store.campaigns_active_since`), the
  contact's message item of each one's latest two runs on each of its channels (computed keys,
  BatchGetItem: `attribution.service.candidate_messages`), kept when it reached the contact
  (sent, delivered, read); `created_at` is the message's (when it was dispatched). Older
  campaigns and older runs of a recurring campaign are not looked at;
- calls: the contact's voice call-queue items (GSI3 `keys.contact_calls_index_pk`, newest
  queued first), kept once a call was placed; `created_at` is when the first call started.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engage.attribution import service as attribution
from engage.attribution import store as attribution_store
from engage.attribution.responses import REACHED
from engage.contacts import service as contacts
from engage.conversations import store as conversations
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel, MessageType, Sender
from engage.core import clock, keys
from engage.core.settings import get_settings
from engage.customers import store
from engage.customers.schemas import (
    CustomerHistoryPublic,
    CustomerInteractionPublic,
    InteractionKind,
    InteractionStatus,
)
from engage.voice.models import CallQueueItem

SUMMARY_MAX = 120  # characters of a message's first line in a session's summary
SUMMARY_PAGE = 10  # messages read a Query when looking for a session's latest text
SUMMARY_SCAN_MESSAGES = 20  # ... and at most this many
_PLACED = frozenset({"in_progress", "completed", "failed"})
_STATUSES = frozenset(s.value for s in InteractionStatus)
_CHANNELS = frozenset(c.value for c in Channel)


def first_line(text: str | None) -> str | None:
    """The first non-blank line of `text`, at most SUMMARY_MAX characters; None for none."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:SUMMARY_MAX]
    return None


def _interaction(kind: InteractionKind, **fields: Any) -> CustomerInteractionPublic | None:
    """An interaction, or None when its stored status or channel is not one the wire knows."""
    if fields["status"] not in _STATUSES or fields["channel_type"] not in _CHANNELS:
        return None
    return CustomerInteractionPublic(kind=kind, **fields)


def _sessions(tenant_id: str, contact_id: str, limit: int) -> list[ConversationItem]:
    ids_ = conversations.contact_conversation_ids(tenant_id, contact_id, None, limit)
    found = conversations.batch_get_conversations(tenant_id, ids_)
    return [found[c] for c in ids_ if c in found and found[c].contact_id == contact_id]


def _session(item: ConversationItem) -> CustomerInteractionPublic | None:
    conversation_id = keys.parse_conversation_partition(item.pk)[1]
    return _interaction(
        InteractionKind.SESSION,
        session_id=conversation_id,
        id=conversation_id,
        channel_type=item.channel,
        created_at=item.created_at,
        status=item.status,
        summary=None,  # filled for the sessions that make the page
    )


def _summary(tenant_id: str, session_id: str) -> str | None:
    """The first line of the session's latest text message (not a private note, not a system
    record such as a transfer event or a rating request), looking at its newest
    SUMMARY_SCAN_MESSAGES messages at most (one or two Queries); None when none is text."""
    before: str | None = None
    for _ in range(SUMMARY_SCAN_MESSAGES // SUMMARY_PAGE):
        page, more = conversations.messages_page(
            tenant_id,
            session_id,
            before=before,
            after=None,
            limit=SUMMARY_PAGE,
            include_private=False,
        )
        for message in reversed(page):
            if message.type == MessageType.TEXT and message.sender != Sender.SYSTEM:
                return first_line(message.content)
        if not more or not page:
            return None
        before = keys.parse_message_sk(page[0].sk)
    return None


def _campaign_messages(
    tenant_id: str, contact_id: str, limit: int
) -> list[CustomerInteractionPublic | None]:
    days = get_settings().customer_history_campaign_days
    since = clock.iso(clock.now() - dt.timedelta(days=days))
    runs = attribution_store.campaigns_active_since(tenant_id, since)
    if not runs:
        return []
    candidates = attribution.candidate_messages(tenant_id, runs, [contact_id])
    reached = [
        m
        for m in store.campaign_messages(candidates)
        if m.contact_id == contact_id and m.status in REACHED
    ]
    reached.sort(key=lambda m: str(m.created_at), reverse=True)
    names = store.campaign_names(tenant_id, (candidates[(m.pk, m.sk)] for m in reached[:limit]))
    out: list[CustomerInteractionPublic | None] = []
    for m in reached[:limit]:
        campaign_id = candidates[(m.pk, m.sk)]
        out.append(
            _interaction(
                InteractionKind.CAMPAIGN_MESSAGE,
                session_id=None,
                id=campaign_id,
                channel_type=m.channel or Channel.SMS.value,
                created_at=m.created_at,
                status=m.status,
                summary=names.get(campaign_id),
            )
        )
    return out


def _call_started(item: CallQueueItem) -> str:
    calls = [dict(c) for c in item.calls or []]
    first = calls[0].get("started_at") if calls else None
    return str(first or item.started_at or item.created_at)


def _calls(tenant_id: str, contact_id: str, limit: int) -> list[CustomerInteractionPublic | None]:
    items = [
        i
        for i in store.contact_calls(tenant_id, contact_id, limit)
        if i.contact_id == contact_id and (i.calls or i.status in _PLACED)
    ]
    names = store.voice_campaign_names(tenant_id, (i.campaign_id for i in items))
    out: list[CustomerInteractionPublic | None] = []
    for i in items:
        name = names.get(i.campaign_id)
        parts = [p for p in (name, i.last_outcome) if p]
        out.append(
            _interaction(
                InteractionKind.CALL,
                session_id=i.conversation_id,  # a call placed by a transfer: its session
                id=keys.voice_queue_item_id(i.campaign_id, int(i.sk)),
                channel_type=Channel.VOICE.value,
                created_at=_call_started(i),
                status=i.status,
                summary=": ".join(parts) or None,
            )
        )
    return out


def history(tenant_id: str, customer_id: str, limit: int) -> CustomerHistoryPublic:
    """The customer's interactions, newest first, at most `limit` (1-100) after merging the
    three sources. Raises NotFound for an unknown, malformed or another tenant's id."""
    contact = contacts.get_contact(tenant_id, customer_id)
    contact_id = contact.sk
    found: list[CustomerInteractionPublic | None] = [
        _session(c) for c in _sessions(tenant_id, contact_id, limit)
    ]
    found += _campaign_messages(tenant_id, contact_id, limit)
    found += _calls(tenant_id, contact_id, limit)
    page = sorted(
        (i for i in found if i is not None), key=lambda i: (i.created_at, i.id), reverse=True
    )[:limit]
    for entry in page:
        if entry.kind is InteractionKind.SESSION and entry.session_id:
            entry.summary = _summary(tenant_id, entry.session_id)
    return CustomerHistoryPublic(interactions=page)
