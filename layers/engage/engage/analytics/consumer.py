"""The analytics consumer (issue 11 "Analytics, from counters kept by event consumers"): the
bus's events -> per-tenant counters per channel, per UTC hour and per UTC day (models.py
`AnalyticsBucketItem`), atomic ADDs only. Counted, never estimated:

- `conversation.created`: a session started on its `channel`, in the bucket of `created_at`;
- `conversation.updated` whose `changes` name `status` and whose `status` is `resolved`: the
  session's first resolution, counted once per conversation (a reopen does not un-count it; a
  second resolve does not count again), in the bucket where the session started
  (`created_at`) on its current `channel`, so `resolved / sessions` of a range is the share
  of the sessions started in it that were resolved;
- `conversation.updated` whose `changes` name `first_response_seconds`: one first-response
  sample;
- `message.created` of type `text`, not private: a message on its channel. A customer's
  message (`sender` `user`) starts a wait unless one is already running; the next agent reply
  (`sender` `agent`; bots do not count) ends it and is one response-time sample, its wait in
  seconds (per-conversation item, models.py `AnalyticsConversationItem`). A customer message
  delivered after a later agent reply was counted starts no wait;
- `call.completed` (engage/voice/events.py): a voice call ended and its `talk_seconds`;
- `video.ended` (engage/video/events.py): the `minutes` of a video session that ended;
- `rating.recorded` (engage/ratings): a 1-5 `score` on its `channel`, at its `at`.

Idempotent on the event id: each bucket write claims the event first (`seen.once`: claimed
per part and per width) and gives the claim back if the write fails, so a retry counts it once;
the per-conversation writes are conditional and remember the event that made them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engage.analytics import store
from engage.analytics.buckets import bucket_of, expiry_of, parse_time
from engage.core import clock
from engage.core.keys import Granularity
from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.events.fields import number, text
from engage.integrations.consumer import message_channel
from engage.integrations.schemas import ChannelType

CONSUMER = "analytics"
CHANNELS = frozenset(c.value for c in ChannelType)
CONVERSATION_RETENTION = dt.timedelta(days=60)
"""How long a conversation's item outlives its last counted event (DynamoDB TTL)."""
WAIT_ATTEMPTS = 5


@dataclass(frozen=True)
class Count:
    """What one event adds (`deltas`, AnalyticsBucketItem counters) to `channel` at `at`;
    `part` names the claim (an event may add to two buckets: see the module docstring)."""

    part: str
    channel: str
    at: dt.datetime
    deltas: dict[str, float]


def _add(event: DomainEvent, count: Count) -> bool:
    counted = False
    for granularity in Granularity:
        bucket = bucket_of(count.at, granularity)
        expires = expiry_of(count.at, granularity)

        def write(g: Granularity = granularity, b: str = bucket, e: int = expires) -> None:
            store.add(event.tenant_id, g, b, count.channel, count.deltas, e)

        claim = f"{CONSUMER}-{count.part}-{granularity.value}"
        counted |= seen.once(claim, event.id, write)
    return counted


def _at(event: DomainEvent, field: str | None = None) -> dt.datetime:
    """The time in `data[field]`, else the event's own time, else now."""
    given = parse_time(event.data.get(field)) if field else None
    return given or parse_time(event.occurred_at) or clock.now()


def _expiry(at: dt.datetime) -> int:
    return int((at + CONVERSATION_RETENTION).timestamp())


def _channel(event: DomainEvent) -> str | None:
    channel = text(event.data.get("channel"))
    return channel if channel in CHANNELS else None


def _wait_ended(event: DomainEvent, conversation_id: str, at: dt.datetime) -> float | None:
    """The seconds a customer waited for this agent reply, or None when nobody waited (a
    retry of the reply finds the wait it measured)."""
    tenant, at_iso = event.tenant_id, clock.iso(at)
    for _ in range(WAIT_ATTEMPTS):
        item = store.get_conversation(tenant, conversation_id)
        if item is not None and item.reply_event == event.id and item.reply_seconds is not None:
            return float(item.reply_seconds)
        since = item.awaiting_since if item is not None else None
        started = parse_time(since)
        if since is None or started is None or since > at_iso:
            store.note_reply(tenant, conversation_id, at_iso, _expiry(at))
            return None
        seconds = round(max(0.0, (at - started).total_seconds()), 3)
        if store.end_wait(tenant, conversation_id, since, at_iso, event.id, seconds, _expiry(at)):
            return seconds
    raise RuntimeError("the conversation's wait kept moving; retry the event")


def _message(event: DomainEvent) -> list[Count]:
    data = event.data
    if data.get("private") is not False or data.get("type", "text") not in ("text", None):
        return []  # a note, or a system record (a transfer, a rating request)
    channel = message_channel(event)
    conversation_id = text(data.get("conversation_id"))
    if channel is None or channel not in CHANNELS or conversation_id is None:
        return []
    at = _at(event, "created_at")
    deltas = {"messages": 1.0}
    sender = data.get("sender")
    if sender == "user":
        store.start_wait(event.tenant_id, conversation_id, clock.iso(at), _expiry(at))
    elif sender == "agent":
        seconds = _wait_ended(event, conversation_id, at)
        if seconds is not None:
            deltas.update(response_samples=1.0, response_seconds=seconds)
    return [Count("count", channel, at, deltas)]


def _conversation(event: DomainEvent) -> list[Count]:
    channel, conversation_id = _channel(event), text(event.data.get("id"))
    if channel is None or conversation_id is None:
        return []
    if event.type is EventType.CONVERSATION_CREATED:
        return [Count("count", channel, _at(event, "created_at"), {"sessions": 1.0})]
    changes = event.data.get("changes")
    changes = changes if isinstance(changes, list) else []
    out = []
    seconds = number(event.data.get("first_response_seconds"))
    if "first_response_seconds" in changes and seconds is not None and seconds >= 0:
        deltas = {"first_response_samples": 1.0, "first_response_seconds": seconds}
        out.append(Count("frt", channel, _at(event), deltas))
    if "status" in changes and event.data.get("status") == "resolved":
        at = _at(event)
        if store.mark_resolved(
            event.tenant_id, conversation_id, event.id, clock.iso(at), _expiry(at)
        ):
            out.append(Count("resolved", channel, _at(event, "created_at"), {"resolved": 1.0}))
    return out


def _rating(event: DomainEvent) -> list[Count]:
    channel, score = _channel(event), event.data.get("score")
    if channel is None or isinstance(score, bool) or not isinstance(score, int):
        return []
    if not 1 <= score <= 5:
        return []
    deltas = {"rating_count": 1.0, "rating_sum": float(score)}
    return [Count("count", channel, _at(event, "at"), deltas)]


def counts(event: DomainEvent) -> list[Count]:
    """What `event` adds to the counters (see the module docstring); may write the
    conversation's item (conditional, idempotent) to know it."""
    if event.type in (EventType.CONVERSATION_CREATED, EventType.CONVERSATION_UPDATED):
        return _conversation(event)
    if event.type is EventType.MESSAGE_CREATED:
        return _message(event)
    if event.type is EventType.CALL_COMPLETED:
        talk = max(0.0, number(event.data.get("talk_seconds")) or 0.0)
        deltas = {"calls": 1.0, "talk_seconds": talk}
        return [Count("count", ChannelType.VOICE.value, _at(event, "ended_at"), deltas)]
    if event.type is EventType.VIDEO_ENDED:
        minutes = max(0.0, number(event.data.get("minutes")) or 0.0)
        at = _at(event, "ended_at")
        return [Count("count", ChannelType.VIDEO.value, at, {"video_minutes": minutes})]
    if event.type is EventType.RATING_RECORDED:
        return _rating(event)
    return []


def count(event: DomainEvent) -> bool:
    """Count `event` into the tenant's hourly and daily buckets; False when it counts nothing
    or was counted already. Raises what the store raises (the record is then retried)."""
    counted = False
    for item in counts(event):
        counted |= _add(event, item)
    return counted
