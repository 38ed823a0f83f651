"""Local-only video routes (never deployed; issue 10 "video"): the sandbox's meetings, and
Chime's meeting lifecycle events simulated for them.

- `GET /_local/video/meetings[?tenant=]`: the sandbox provider's meetings, newest first, with
  their attendees' external ids and status (`active` / `ended`).
- `POST /_local/video/meetings/{meeting_id}/{started|ended}`: what Chime sends to the default
  EventBridge bus when a meeting starts (its first attendee joined) or ends (everyone left, or
  it expired): the same `Chime Meeting State Change` event, handled by the same function as the
  deployed `VideoEventsFunction` (engage/video/ending.py). `ended` also ends the sandbox
  meeting. Register with `app.include_router(video_local_router)` (local/runtime.py
  `build_app`).
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from engage.channels.video_sandbox import REGION, VIDEO_OUTBOX
from engage.core import clock
from engage.core.errors import NotFound
from engage.video import ending
from engage.video.schemas import ChimeMeetingEvent
from local.cfn import ACCOUNT

video_local_router = APIRouter(prefix="/_local/video", tags=["local runtime"])


class SandboxMeeting(BaseModel):
    """One meeting of the sandbox video provider."""

    meeting_id: str
    external_meeting_id: str
    tenant_id: str
    status: str
    attendees: list[str]
    created_at: str
    updated_at: str


class SandboxMeetings(BaseModel):
    """The sandbox's meetings, newest first."""

    data: list[SandboxMeeting]


class MeetingState(StrEnum):
    """Which Chime lifecycle event to simulate."""

    STARTED = "started"
    ENDED = "ended"


class SimulatedEvent(BaseModel):
    """The event that was handled, and whether it changed a session."""

    event: dict[str, Any]
    changed: bool


def _meeting(record: dict[str, Any]) -> SandboxMeeting:
    return SandboxMeeting(
        meeting_id=record["meetingId"],
        external_meeting_id=record["externalMeetingId"],
        tenant_id=record.get("ref") or "",
        status=record["status"],
        attendees=list(record.get("attendees") or []),
        created_at=record["createdAt"],
        updated_at=record["updatedAt"],
    )


@video_local_router.get("/meetings")
def sandbox_meetings(
    tenant: Annotated[str | None, Query(max_length=64, description="only this tenant id")] = None,
) -> SandboxMeetings:
    """The sandbox provider's meetings, newest first."""
    records = VIDEO_OUTBOX.list(VIDEO_OUTBOX.count())
    return SandboxMeetings(
        data=[_meeting(r) for r in records if tenant is None or r.get("ref") == tenant]
    )


def chime_event(meeting_id: str, external_meeting_id: str, kind: str) -> dict[str, Any]:
    """A `Chime Meeting State Change` event as EventBridge delivers it (`kind`:
    `chime:MeetingStarted` or `chime:MeetingEnded`)."""
    now = clock.now()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": ending.DETAIL_TYPE,
        "source": ending.SOURCE,
        "account": ACCOUNT,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": {
            "version": "0",
            "eventType": kind,
            "timestamp": int(now.timestamp() * 1000),
            "meetingId": meeting_id,
            "externalMeetingId": external_meeting_id,
            "mediaRegion": REGION,
        },
    }


@video_local_router.post("/meetings/{meeting_id}/{state}")
def simulate_meeting_event(
    meeting_id: Annotated[str, Path(max_length=64)], state: MeetingState
) -> SimulatedEvent:
    """Simulate Chime's event for a sandbox meeting: it `started` (first attendee joined) or
    `ended` (everyone left); handled exactly as the deployed event worker handles Chime's."""
    record = VIDEO_OUTBOX.get(meeting_id)
    if record is None:
        raise NotFound("No such sandbox meeting")
    kind = ending.MEETING_STARTED if state == MeetingState.STARTED else ending.MEETING_ENDED
    if state == MeetingState.ENDED:
        VIDEO_OUTBOX.set_status(meeting_id, "ended")
    event = chime_event(meeting_id, record["externalMeetingId"], kind)
    changed = ending.on_meeting_event(ChimeMeetingEvent.model_validate(event))
    return SimulatedEvent(event=event, changed=changed)
