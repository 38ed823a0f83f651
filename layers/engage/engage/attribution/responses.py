"""Responses (issue 10 "Attribution"): a recipient of a campaign who wrote back on any channel
(SMS, WhatsApp, e-mail, chat: every inbound message becomes a conversation message) within
ATTRIBUTION_RESPONSE_WINDOW_HOURS after the campaign's message reached them. Counted once per
recipient per campaign.

The source is the bus's `message.created` event of a customer's message (`sender == "user"`,
not a private note, with a `contact_id`; engage/conversations/events.py), delivered by the
AttributionRule -> AttributionQueue -> AttributionFunction (functions/attribution/app.py).
For the reply at time R the campaigns that could have reached the contact are those with a run
enqueued, still sending, or completed since R - window (one Query of the campaign partition);
the contact's message item of each is read (one BatchGetItem), and a campaign counts when its
message was sent (`sent`, `delivered` or `read`), created by R and last updated (sent or
receipted) at R - window or later. The message's `updatedAt` is its send time, or its receipt's
(minutes later): the window is measured from when the message reached the contact.
"""

from __future__ import annotations

import datetime as dt

from engage.attribution import service, store
from engage.attribution.store import MessageFacts
from engage.core import clock, keys
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.events.envelope import DomainEvent, EventType

REACHED = frozenset({"sent", "delivered", "read"})


def reached_within(facts: MessageFacts, reply_at: dt.datetime, window: dt.timedelta) -> bool:
    """Whether the message reached its contact in the `window` before `reply_at`."""
    if facts.status not in REACHED:
        return False
    created = service.parse_time(facts.created_at)
    reached = service.parse_time(facts.updated_at) or created
    if created is None or reached is None:
        return False
    return created <= reply_at and reached >= reply_at - window


def campaigns_replied_to(tenant_id: str, contact_id: str, reply_at: dt.datetime) -> list[str]:
    """The ids of the tenant's campaigns whose message reached `contact_id` within the
    response window before `reply_at`."""
    window = dt.timedelta(hours=get_settings().attribution_response_window_hours)
    runs = store.campaigns_active_since(tenant_id, clock.iso(reply_at - window))
    if not runs:
        return []
    candidates = service.candidate_messages(tenant_id, runs, [contact_id])
    facts = store.message_facts(candidates)
    return sorted(
        {candidates[key] for key, f in facts.items() if reached_within(f, reply_at, window)}
    )


def _claim_keys(tenant_id: str, campaign_id: str, contact_id: str) -> list[tuple[str, str]]:
    return [
        keys.response_claim_key(tenant_id, campaign_id, contact_id),
        keys.total_response_claim_key(tenant_id, campaign_id, contact_id),
    ]


def count_response(tenant_id: str, campaign_id: str, contact_id: str, event_id: str) -> bool:
    """Count `contact_id`'s response to the campaign once in the campaign's counter and once
    in the tenant's totals; True when the campaign's counter moved."""
    fields = {"contactId": contact_id, "eventId": event_id}
    counted = service.count_once(
        keys.response_claim_key(tenant_id, campaign_id, contact_id),
        keys.attribution_counter_key(tenant_id, campaign_id),
        fields,
        responses=1,
    )
    service.count_once(
        keys.total_response_claim_key(tenant_id, campaign_id, contact_id),
        keys.attribution_totals_key(tenant_id),
        fields,
        responses=1,
    )
    return counted


def on_message_created(event: DomainEvent) -> int:
    """The bus consumer: count a customer's message as a response to every campaign that
    reached them within the window; returns how many campaigns it counted for (0 for other
    events, agents' and bots' messages, private notes and messages without a contact).
    Raises what the store raises (the record is retried; claims make the retry count once)."""
    if event.type is not EventType.MESSAGE_CREATED:
        return 0
    data = event.data
    contact_id = data.get("contact_id")
    if data.get("sender") != "user" or data.get("private") is True:
        return 0
    if not isinstance(contact_id, str) or not contact_id:
        return 0
    reply_at = service.parse_time(data.get("created_at")) or service.parse_time(event.occurred_at)
    if reply_at is None:
        return 0
    tenant_id, counted = event.tenant_id, 0
    campaigns = campaigns_replied_to(tenant_id, contact_id, reply_at)
    if not campaigns:
        return 0
    # A conversation has many customer messages: read which were counted (both claims exist)
    # instead of failing two conditional writes per campaign for each later message.
    claims = {c: _claim_keys(tenant_id, c, contact_id) for c in campaigns}
    done = store.existing(k for pair in claims.values() for k in pair)
    for campaign_id in campaigns:
        if not set(claims[campaign_id]) <= done:
            counted += count_response(tenant_id, campaign_id, contact_id, event.id)
    if counted:
        logger.info("responses attributed", extra={"campaigns": counted})
    return counted
