"""Analytics storage (models.py): counters as atomic ADDs, the per-conversation item as
single-item conditional writes, and the buckets of a range as one Query (no scan)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from engage.analytics.models import AnalyticsBucketItem, AnalyticsConversationItem
from engage.core import keys
from engage.core.keys import Granularity

_CONDITION_FAILED = "ConditionalCheckFailedException"
_Item = AnalyticsConversationItem


def add(
    tenant_id: str,
    granularity: Granularity,
    bucket: str,
    channel: str,
    deltas: dict[str, float],
    expires_at: int,
) -> None:
    """ADD `deltas` (AnalyticsBucketItem attribute -> amount) to one channel's bucket, and set
    when the bucket expires (epoch seconds)."""
    actions: list[Any] = [getattr(AnalyticsBucketItem, name).add(n) for name, n in deltas.items()]
    if not actions:
        return
    actions.append(AnalyticsBucketItem.expires_at.set(expires_at))
    key = keys.analytics_bucket_key(tenant_id, granularity, bucket, channel)
    AnalyticsBucketItem(*key).update(actions=actions)


def buckets(
    tenant_id: str, granularity: Granularity, first: str, last: str
) -> list[AnalyticsBucketItem]:
    """Every channel's buckets from `first` to `last` (labels, inclusive): one Query, at most
    (buckets x channels) items."""
    low, high = keys.analytics_bucket_bounds(first, last)
    return list(
        AnalyticsBucketItem.query(
            keys.analytics_bucket_partition(tenant_id, granularity),
            AnalyticsBucketItem.sk.between(low, high),
        )
    )


def _update(item: AnalyticsConversationItem, actions: list[Any], condition: Any) -> bool:
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


def _conversation(tenant_id: str, conversation_id: str) -> AnalyticsConversationItem:
    return _Item(*keys.analytics_conversation_key(tenant_id, conversation_id))


def get_conversation(tenant_id: str, conversation_id: str) -> AnalyticsConversationItem | None:
    """What the counters remember of the conversation, or None."""
    try:
        return _Item.get(
            *keys.analytics_conversation_key(tenant_id, conversation_id), consistent_read=True
        )
    except _Item.DoesNotExist:
        return None


def start_wait(tenant_id: str, conversation_id: str, at: str, expires_at: int) -> bool:
    """The customer wrote at `at` (ISO 8601): it awaits a reply since then, unless an earlier
    message already waits or an agent reply counted at or after `at` answered it. False when
    nothing changed."""
    condition = (_Item.replied_at.does_not_exist() | (_Item.replied_at < at)) & (
        _Item.awaiting_since.does_not_exist() | (_Item.awaiting_since > at)
    )
    actions = [_Item.awaiting_since.set(at), _Item.expires_at.set(expires_at)]
    return _update(_conversation(tenant_id, conversation_id), actions, condition)


def end_wait(
    tenant_id: str,
    conversation_id: str,
    since: str,
    at: str,
    event_id: str,
    seconds: float,
    expires_at: int,
) -> bool:
    """An agent reply (`event_id`, at `at`) ends the wait that began at `since`, which lasted
    `seconds`; False when the wait is no longer the one read (another event moved it)."""
    actions = [
        _Item.awaiting_since.remove(),
        _Item.replied_at.set(at),
        _Item.reply_event.set(event_id),
        _Item.reply_seconds.set(seconds),
        _Item.expires_at.set(expires_at),
    ]
    condition = _Item.awaiting_since == since
    return _update(_conversation(tenant_id, conversation_id), actions, condition)


def note_reply(tenant_id: str, conversation_id: str, at: str, expires_at: int) -> None:
    """An agent replied at `at` with no customer message waiting: remember the latest reply
    (so a customer message older than it, delivered late, starts no wait)."""
    condition = _Item.replied_at.does_not_exist() | (_Item.replied_at < at)
    actions = [_Item.replied_at.set(at), _Item.expires_at.set(expires_at)]
    _update(_conversation(tenant_id, conversation_id), actions, condition)


def mark_resolved(
    tenant_id: str, conversation_id: str, event_id: str, at: str, expires_at: int
) -> bool:
    """Record the conversation's first resolution (event `event_id`); True when this event is
    it (also on a retry of it), False when another event resolved it first."""
    condition = _Item.resolved_event.does_not_exist() | (_Item.resolved_event == event_id)
    actions = [
        _Item.resolved_event.set(event_id),
        _Item.resolved_at.set(at),
        _Item.expires_at.set(expires_at),
    ]
    return _update(_conversation(tenant_id, conversation_id), actions, condition)
