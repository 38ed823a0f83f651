"""Asking the customer for a rating when a session resolves (issue 11 "Analytics"; README
"Customer satisfaction ratings"). The consumer of `conversation.updated` events whose
`changes` name `status` and whose `status` is `resolved` (functions/ratings_ask, fed by
template.yaml's RatingsAskRule), idempotent on the event id (events/seen.py): each resolution
asks at most once, and a retry after a failure asks again only if the first attempt did not.

The session (a conversation) is asked on its channel when it is still resolved and not yet
rated:
- chat: a system message of type `rating_request` (CHAT_QUESTION) in the conversation; the
  end user's client sees it (`/v1` messages, sync, socket) and answers with
  `POST /v1/conversations/{id}/rating`;
- SMS and WhatsApp: TEXT_QUESTION, written into the conversation as a system
  `rating_request` message and sent through the channel as an agent's reply is
  (`conversations.outbound`: SMS consent; WhatsApp's policy). Outside WhatsApp's 24-hour
  window it goes as the RATING_WHATSAPP_TEMPLATE_SID template when the setting names one
  (to a contact opted in to WhatsApp), else it is not asked; a refusal is logged with its
  reason and asks nothing;
- e-mail, voice and video: not asked (no answer path exists for them; the console records a
  rating given on a call with `POST /sessions/{sessionId}/rating`).

Before the question goes out, a pending rating request (ratings/models.py) records the
session's channel and its assignee at resolution, expiring after RATING_REPLY_WINDOW_HOURS.
The message's `client_message_id` is `rating-request:<eventId>` and the channel send is
claimed once per message (`outbound.deliver`), so a retried event neither writes nor sends a
second question.
"""

from __future__ import annotations

from enum import StrEnum

from engage.conversations import messages, outbound
from engage.conversations import store as conversations
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import (
    AgentMessageCreate,
    Channel,
    ConversationStatus,
    MessageCreate,
    MessageType,
    Sender,
)
from engage.conversations.wire import conversation_id_of
from engage.core import clock, keys
from engage.core.errors import Conflict, ValidationFailed
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.ratings import store
from engage.ratings.models import RatingRequestItem

CONSUMER = "ratings-ask"
CHAT_QUESTION = "How would you rate this conversation? Choose 1-5 (5 = great)."
TEXT_QUESTION = "How did we do? Reply 1-5 (5 = great)."
ASKED_CHANNELS = (Channel.CHAT, Channel.SMS, Channel.WHATSAPP)
SYSTEM = messages.Author(sender=Sender.SYSTEM, sender_id=None, guard="system")


class AskOutcome(StrEnum):
    """What `ask` did with one event."""

    ASKED = "asked"
    IGNORED = "ignored"  # not a resolution
    DUPLICATE = "duplicate"  # this event was handled already
    NOT_RESOLVED = "not_resolved"  # the session is gone or was reopened meanwhile
    RATED = "rated"  # the session has its rating already
    NOT_ASKED_CHANNEL = "not_asked_channel"  # e-mail, voice, video
    REFUSED = "refused"  # the channel's consent or window rules forbid the question


def is_resolution(event: DomainEvent) -> bool:
    """Whether `event` is a session's resolution: `conversation.updated` whose `changes` name
    `status` and whose `status` is `resolved`."""
    changes = event.data.get("changes")
    return (
        event.type == EventType.CONVERSATION_UPDATED
        and isinstance(changes, list)
        and "status" in changes
        and event.data.get("status") == ConversationStatus.RESOLVED.value
    )


def ask(event: DomainEvent) -> AskOutcome:
    """Ask the resolved session's customer for a rating (see the module docstring). Raises
    what the table or the provider adapters raise; the event's claim is given back then, so
    its retry asks."""
    if not is_resolution(event):
        return AskOutcome.IGNORED
    if not seen.claim(CONSUMER, event.id):
        return AskOutcome.DUPLICATE
    try:
        outcome = _ask(event)
    except Exception:
        seen.release(CONSUMER, event.id)
        raise
    logger.info("rating request", extra={"outcome": outcome.value, "event_id": event.id})
    return outcome


def _ask(event: DomainEvent) -> AskOutcome:
    conv = conversations.get_conversation(event.tenant_id, str(event.data.get("id")))
    if conv is None or conv.status != ConversationStatus.RESOLVED.value:
        return AskOutcome.NOT_RESOLVED
    session_id = conversation_id_of(conv)
    if store.get_rating(event.tenant_id, session_id) is not None:
        return AskOutcome.RATED
    channel = Channel(conv.channel)
    if channel not in ASKED_CHANNELS:
        return AskOutcome.NOT_ASKED_CHANNEL
    plan = None
    if channel != Channel.CHAT:
        plan = _plan(event.tenant_id, conv, channel)
        if plan is None:
            return AskOutcome.REFUSED
    agent = event.data.get("assignee_id")
    _put_request(event, conv, agent if isinstance(agent, str) else None)
    question = CHAT_QUESTION if channel == Channel.CHAT else TEXT_QUESTION
    body = MessageCreate.model_construct(  # a system type, which no client request may carry
        content=question,
        type=MessageType.RATING_REQUEST,
        client_message_id=f"rating-request:{event.id}",
    )
    item, _ = messages.send(event.tenant_id, conv, SYSTEM, body, private=False)
    if plan is not None:
        outbound.deliver(event.tenant_id, conv, item, plan)
    return AskOutcome.ASKED


def _plan(tenant_id: str, conv: ConversationItem, channel: Channel) -> outbound.Plan | None:
    """How the question goes out on SMS or WhatsApp, or None (logged) when the channel's
    rules forbid it."""
    reason: Conflict | ValidationFailed
    try:
        return outbound.plan(tenant_id, conv, AgentMessageCreate(content=TEXT_QUESTION))
    except Conflict as refused:
        reason = refused
    template = get_settings().rating_whatsapp_template_sid
    if channel == Channel.WHATSAPP and template:
        try:
            return outbound.plan(
                tenant_id, conv, AgentMessageCreate(content=f"/template {template}")
            )
        except (Conflict, ValidationFailed) as again:
            reason = again
    logger.info(
        "rating not asked",
        extra={"channel": channel.value, "reason": reason.message, "details": reason.details},
    )
    return None


def _put_request(event: DomainEvent, conv: ConversationItem, agent_id: str | None) -> None:
    hours = get_settings().rating_reply_window_hours
    now = clock.now()
    store.put_request(
        RatingRequestItem(
            *keys.rating_request_key(event.tenant_id, conversation_id_of(conv)),
            contact_id=conv.contact_id,
            channel=conv.channel,
            agent_id=agent_id,
            event_id=event.id,
            asked_at=clock.now_iso(),
            expires_at=int(now.timestamp()) + hours * 3600,
        )
    )
