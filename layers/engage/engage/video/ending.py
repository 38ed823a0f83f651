"""How a video session starts and ends (issue 10 "video": minutes come from the meeting's end).

The real path is Amazon Chime's meeting lifecycle events on the default EventBridge bus
(`source: aws.chime`, detail-type `Chime Meeting State Change`; Chime sends `chime:MeetingEnded`
when a meeting ends, also after our DeleteMeeting, and `chime:MeetingStarted` when it starts:
https://docs.aws.amazon.com/chime-sdk/latest/dg/using-events.html), delivered to
functions/video_events/app.py, which calls `on_meeting_event`. The meeting's ExternalMeetingId
names the session (`keys.parse_video_external_meeting_id`), and the event counts only when
the session's own meeting id is the event's.

`record_end` is the one write of an end, shared by that event and the end route (and the local
runtime's simulated event): a conditional write that succeeds once (models.py), so the route
then the event, or the event twice, give one `ended_at` and one duration. The stream record
of that write is the `video.ended` domain event (events.py).
"""

from __future__ import annotations

import datetime as dt
import logging

from engage.core import clock, keys
from engage.video import store
from engage.video.models import VideoSessionItem
from engage.video.schemas import ChimeMeetingEvent, EndedBy

log = logging.getLogger(__name__)
SOURCE = "aws.chime"
DETAIL_TYPE = "Chime Meeting State Change"
MEETING_STARTED = "chime:MeetingStarted"
MEETING_ENDED = "chime:MeetingEnded"
ATTEMPTS = 3


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def duration_seconds(item: VideoSessionItem, ended_at: str) -> int:
    """Whole seconds from the session's start (Chime's, else its creation) to `ended_at`
    (0 when the end is not after the start)."""
    began = _parse(item.started_at or item.created_at)
    return max(0, int((_parse(ended_at) - began).total_seconds()))


def record_end(
    tenant_id: str, item: VideoSessionItem, ended_at: str, by: EndedBy
) -> VideoSessionItem:
    """End the session at `ended_at` (ISO 8601 UTC) unless it has ended already; answers the
    session as stored afterwards (the first end's values when it had ended)."""
    for _ in range(ATTEMPTS):
        if item.ended_at is not None:
            return item
        if store.mark_ended(item, ended_at, duration_seconds(item, ended_at), by.value):
            return item
        fresh = store.get(tenant_id, str(item.sk))
        if fresh is None:
            return item
        item = fresh
    return item


def _event_time(event: ChimeMeetingEvent) -> str:
    """The event's time: `detail.timestamp` (epoch ms), else the envelope's `time`, else now."""
    if event.detail.timestamp is not None:
        at = dt.datetime.fromtimestamp(event.detail.timestamp / 1000, dt.UTC)
        return clock.iso(at)
    if event.time:
        try:
            return clock.iso(_parse(event.time))
        except ValueError:
            pass
    return clock.now_iso()


def _session_of(event: ChimeMeetingEvent) -> tuple[str, VideoSessionItem] | None:
    found = keys.parse_video_external_meeting_id(event.detail.external_meeting_id or "")
    if found is None:
        return None
    tenant_id, session_id = found
    item = store.get(tenant_id, session_id)
    if item is None or item.meeting_id != event.detail.meeting_id:
        return None
    return tenant_id, item


def on_meeting_event(event: ChimeMeetingEvent) -> bool:
    """Apply one Chime meeting event: `chime:MeetingStarted` records the start (once),
    `chime:MeetingEnded` the end (once; `record_end`). Other events, other sources and
    meetings that are not a session's change nothing. Whether the session changed."""
    if event.source != SOURCE or event.detail_type != DETAIL_TYPE:
        return False
    kind = event.detail.event_type
    if kind not in (MEETING_STARTED, MEETING_ENDED):
        return False
    found = _session_of(event)
    if found is None:
        log.info("video event for no session", extra={"event_type": kind})
        return False
    tenant_id, item = found
    at = _event_time(event)
    if kind == MEETING_STARTED:
        if item.started_at is not None or item.ended_at is not None:
            return False
        return store.mark_started(item, max(at, item.created_at))
    if item.ended_at is not None:
        return False
    ended = record_end(tenant_id, item, max(at, item.created_at), EndedBy.EVENT)
    return ended.ended_by == EndedBy.EVENT.value
