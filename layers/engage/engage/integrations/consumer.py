"""The channel metrics consumer (issue 10 `GET /channels/integrations` metrics): the bus's
conversation, message and call events -> per-tenant, per-channel counters (models.py
`ChannelMetricsItem`). Counted, never estimated:

- `conversation.created`: a session started on its `channel`;
- `conversation.created` / a `conversation.updated` whose `changes` name `status` or
  `channel`: the conversation's channel and whether it is active (status `open` or `pending`)
  are compared with what was last counted for it
  (`ChannelSessionItem`), and the difference moves `active_sessions` (a resolve, a reopen, a
  transfer to another channel). An event older than the one last counted changes nothing
  (SQS may deliver out of order);
- `conversation.updated` whose `changes` name `first_response_seconds`: one first-response
  sample on the conversation's channel (the mean is `response_time`);
- `message.created` (notes and system records such as transfers and rating requests excluded,
  as the analytics count them): a message on its `channel` (older events without one:
  the conversation's channel as last counted, else as stored);
- `call.completed` (engage/voice/events.py): a voice call ended and its `talk_seconds`;
- `video.ended` (engage/video/events.py): a video session ended and its `minutes`.

Idempotent on the event id: each kind of write claims the event first (`events/seen.py`) and
gives the claim back if the write fails, so a retry counts it once.
"""

from __future__ import annotations

from collections.abc import Callable

from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.events.fields import number as _number
from engage.events.fields import text as _text
from engage.integrations import store

CONSUMER = "channel-metrics"
ACTIVE_STATUSES = ("open", "pending")
MOVE_ATTEMPTS = 5


def _once(claim: str, event: DomainEvent, write: Callable[[], None]) -> bool:
    """Run `write` once per event id for `claim` (see the module docstring)."""
    return seen.once(claim, event.id, write)


def message_channel(event: DomainEvent) -> str | None:
    """The channel of a `message.created` event: its `channel`, else (messages written before
    issue 10) the conversation's channel as these counters last counted it, else as stored;
    None when none is known. Also used by engage/analytics/consumer.py."""
    channel = _text(event.data.get("channel"))
    conversation_id = _text(event.data.get("conversation_id"))
    if channel or conversation_id is None:
        return channel
    session = store.get_session(event.tenant_id, conversation_id)
    if session is not None:
        return str(session.channel)
    from engage.conversations import store as conversations

    conversation = conversations.get_conversation(event.tenant_id, conversation_id)
    return str(conversation.channel) if conversation is not None else None


def _move(event: DomainEvent, conversation_id: str, channel: str, active: bool) -> None:
    """Move `active_sessions` from what was last counted for the conversation to now."""
    before: tuple[str | None, bool]
    for _ in range(MOVE_ATTEMPTS):
        item = store.get_session(event.tenant_id, conversation_id)
        if item is not None and item.event_id == event.id:  # a retry: the move is recorded
            before = (item.prev_channel, bool(item.prev_active))
        elif item is not None and str(item.at) > event.occurred_at:
            return  # a later event was counted already
        else:
            before = (str(item.channel), bool(item.active)) if item is not None else (None, False)
            version = int(item.version) if item is not None else None
            if not store.put_session(
                event.tenant_id,
                conversation_id,
                channel,
                active,
                event.occurred_at,
                event.id,
                before,
                version,
            ):
                continue  # another event moved it first: look again
        deltas: dict[str, int] = {}
        if before[1] and before[0]:
            deltas[before[0]] = deltas.get(before[0], 0) - 1
        if active:
            deltas[channel] = deltas.get(channel, 0) + 1
        for name, n in deltas.items():
            if n:
                store.add_metrics(event.tenant_id, name, {"active_sessions": n})
        return
    raise RuntimeError("the conversation's session kept moving; retry the event")


def _conversation(event: DomainEvent) -> bool:
    conversation_id = _text(event.data.get("id"))
    channel = _text(event.data.get("channel"))
    if conversation_id is None or channel is None:
        return False
    counted = False
    tenant = event.tenant_id
    if event.type is EventType.CONVERSATION_CREATED:
        counted |= _once(
            CONSUMER, event, lambda: store.add_metrics(tenant, channel, {"sessions": 1})
        )
    changes = event.data.get("changes")
    seconds = _number(event.data.get("first_response_seconds"))
    if isinstance(changes, list) and "first_response_seconds" in changes and seconds is not None:
        sample = {"response_samples": 1, "response_seconds": seconds}
        counted |= _once(
            f"{CONSUMER}-frt", event, lambda: store.add_metrics(tenant, channel, sample)
        )
    moved = isinstance(changes, list) and ("status" in changes or "channel" in changes)
    if event.type is EventType.CONVERSATION_CREATED or moved:
        active = event.data.get("status") in ACTIVE_STATUSES
        counted |= _once(
            f"{CONSUMER}-move", event, lambda: _move(event, conversation_id, channel, active)
        )
    return counted


def count(event: DomainEvent) -> bool:
    """Count `event` (see the module docstring); False when it counts nothing or was counted
    already. Raises what the store raises (the record is then retried)."""
    tenant = event.tenant_id
    if event.type in (EventType.CONVERSATION_CREATED, EventType.CONVERSATION_UPDATED):
        return _conversation(event)
    if event.type is EventType.MESSAGE_CREATED:
        if event.data.get("private") is not False:
            return False  # a note (or a message that does not say): not on the channel
        if event.data.get("type", "text") != "text":
            return False  # a system record (a transfer, a rating request): not a message
        channel = message_channel(event)
        if channel is None:
            return False
        return _once(CONSUMER, event, lambda: store.add_metrics(tenant, channel, {"messages": 1}))
    if event.type is EventType.CALL_COMPLETED:
        talk = _number(event.data.get("talk_seconds")) or 0.0
        deltas = {"calls": 1.0, "talk_seconds": max(0.0, talk)}
        return _once(CONSUMER, event, lambda: store.add_metrics(tenant, "voice", deltas))
    if event.type is EventType.VIDEO_ENDED:
        minutes = max(0.0, _number(event.data.get("minutes")) or 0.0)
        video = {"sessions": 1.0, "minutes": minutes}
        return _once(CONSUMER, event, lambda: store.add_metrics(tenant, "video", video))
    return False
