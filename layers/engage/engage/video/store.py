"""Video session storage (issue 10 "video"): the only video module that talks to DynamoDB.
Every write is one single-item conditional write; keys come from `engage.core.keys`."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from engage.core import keys
from engage.video.models import VideoSessionItem
from engage.video.schemas import VideoSessionStatus

_FAILED = "ConditionalCheckFailedException"


def put_new(item: VideoSessionItem) -> None:
    """Write a new session (its id is fresh: the condition only guards against reuse)."""
    item.save(condition=VideoSessionItem.pk.does_not_exist())


def get(tenant_id: str, session_id: str) -> VideoSessionItem | None:
    """The session (strongly consistent), or None."""
    try:
        return VideoSessionItem.get(
            *keys.video_session_key(tenant_id, session_id), consistent_read=True
        )
    except VideoSessionItem.DoesNotExist:
        return None


def _update(item: VideoSessionItem, actions: list[Action], condition: Condition) -> bool:
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def mark_started(item: VideoSessionItem, started_at: str) -> bool:
    """Set `started_at` once, while the session has neither a start nor an end; False when
    it already had one (or is gone). `item` is refreshed on success."""
    condition = (
        VideoSessionItem.pk.exists()
        & VideoSessionItem.started_at.does_not_exist()
        & VideoSessionItem.ended_at.does_not_exist()
    )
    return _update(item, [VideoSessionItem.started_at.set(started_at)], condition)


def mark_ended(item: VideoSessionItem, ended_at: str, duration_seconds: int, by: str) -> bool:
    """End the session: one conditional write that sets `status=ended`, `ended_at`,
    `duration_seconds` and `ended_by` and takes the session out of the active index, only
    while it has no `ended_at` and its `started_at` is still the one `item` holds (the
    duration was computed from it). False when either failed: it ended already, or it was
    started meanwhile (the caller reads it again)."""
    condition = VideoSessionItem.pk.exists() & VideoSessionItem.ended_at.does_not_exist()
    if item.started_at is None:
        condition &= VideoSessionItem.started_at.does_not_exist()
    else:
        condition &= VideoSessionItem.started_at == item.started_at
    actions: list[Action] = [
        VideoSessionItem.status.set(VideoSessionStatus.ENDED.value),
        VideoSessionItem.ended_at.set(ended_at),
        VideoSessionItem.duration_seconds.set(duration_seconds),
        VideoSessionItem.ended_by.set(by),
        VideoSessionItem.gsi1pk.remove(),
        VideoSessionItem.gsi1sk.remove(),
    ]
    return _update(item, actions, condition)


def page(tenant_id: str, before: str | None, limit: int) -> list[VideoSessionItem]:
    """Up to `limit` sessions of the tenant, newest first, older than session id `before`."""
    condition = VideoSessionItem.sk < before if before else None
    return list(
        VideoSessionItem.query(
            keys.video_session_partition(tenant_id),
            condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            consistent_read=True,
        )
    )


def active_ids(tenant_id: str, before: str | None, limit: int) -> list[str]:
    """Up to `limit` ids of the tenant's active sessions (sparse GSI1), newest first."""
    condition = VideoSessionItem.gsi1sk < before if before else None
    return [
        str(i.sk)
        for i in VideoSessionItem.active.query(
            keys.video_active_index_pk(tenant_id),
            condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
    ]


def count_active(tenant_id: str) -> int:
    """How many sessions of the tenant are active (Query with `Select=COUNT` on GSI1)."""
    return int(VideoSessionItem.active.count(keys.video_active_index_pk(tenant_id)))


def batch_get(tenant_id: str, session_ids: Iterable[str]) -> dict[str, VideoSessionItem]:
    """Sessions by id (BatchGetItem); missing ids are absent."""
    wanted = list(dict.fromkeys(session_ids))
    found = VideoSessionItem.batch_get([keys.video_session_key(tenant_id, s) for s in wanted])
    return {str(i.sk): i for i in found}
