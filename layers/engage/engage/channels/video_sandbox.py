"""The sandbox video provider: the default for development and tests (VIDEO_PROVIDER=sandbox).

It creates no real meeting. Each meeting is recorded in an in-process outbox (shown by the
local runtime's `/_local/video/meetings` page, local/pages_video.py) with its attendees, and
answers join information shaped like Chime's: a GUID meeting id, the media region, media
placement URLs under `sandbox.invalid` and per-attendee join tokens. `end_meeting` marks the
meeting `ended`, as Chime's DeleteMeeting does; the service then records the end through the
same path as Chime's `chime:MeetingEnded` event (engage/video/service.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from engage.channels.sandbox import Outbox
from engage.channels.video_base import Attendee, Meeting, VideoRefused
from engage.core import clock, ids


class MeetingOutbox(Outbox):
    """The sandbox's meetings (newest last), each found by its `meetingId`."""

    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__(capacity=capacity, key="meetingId")

    def get(self, meeting_id: str) -> dict[str, Any] | None:
        """A copy of the meeting's record, or None."""
        with self._lock:
            record = self._by_id.get(meeting_id)
            return {**record, "attendees": list(record["attendees"])} if record else None

    def add_attendee(self, meeting_id: str, external_user_id: str) -> None:
        """Note an attendee on the meeting's record."""
        with self._lock:
            record = self._by_id.get(meeting_id)
            if record is not None:
                record["attendees"].append(external_user_id)
                record["updatedAt"] = clock.now_iso()


VIDEO_OUTBOX = MeetingOutbox()
REGION = "us-east-1"
_PLACEMENT = {
    "AudioHostUrl": "wss://audio.sandbox.invalid/{id}",
    "AudioFallbackUrl": "wss://audio-fallback.sandbox.invalid/{id}",
    "SignalingUrl": "wss://signal.sandbox.invalid/control/{id}",
    "TurnControlUrl": "https://turn.sandbox.invalid/v2/turn_sessions",
    "ScreenDataUrl": "wss://screen.sandbox.invalid/v2/screen/{id}",
    "ScreenViewingUrl": "wss://screen.sandbox.invalid/ws/connect?passcode=null&viewer_uuid=null",
    "ScreenSharingUrl": "wss://screen.sandbox.invalid/v2/screen/{id}",
    "EventIngestionUrl": "https://data.sandbox.invalid/v1/client-events",
}


def _guid(seed: str) -> str:
    """A GUID (Chime's id format) derived from `seed`, so the same seed gives the same id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"engage-sandbox-video/{seed}"))


class SandboxVideo:
    """Records instead of meeting; see the module docstring."""

    name = "sandbox"

    def __init__(self, outbox: MeetingOutbox = VIDEO_OUTBOX) -> None:
        self.outbox = outbox

    def create_meeting(self, external_meeting_id: str, tenant_id: str) -> Meeting:
        """Record a meeting (the same external id answers the same meeting, as Chime's
        ClientRequestToken does)."""
        meeting_id = _guid(external_meeting_id)
        meeting = Meeting(
            meeting_id=meeting_id,
            external_meeting_id=external_meeting_id,
            media_region=REGION,
            media_placement={k: v.format(id=meeting_id) for k, v in _PLACEMENT.items()},
        )
        if self.outbox.get(meeting_id) is None:
            now = clock.now_iso()
            self.outbox.add(
                {
                    "meetingId": meeting_id,
                    "channel": "video",
                    "externalMeetingId": external_meeting_id,
                    "mediaRegion": REGION,
                    "attendees": [],
                    "status": "active",
                    "ref": tenant_id,
                    "createdAt": now,
                    "updatedAt": now,
                }
            )
        return meeting

    def create_attendee(self, meeting_id: str, external_user_id: str) -> Attendee:
        """Add an attendee to a recorded, active meeting; VideoRefused(`NotFound`) otherwise."""
        record = self.outbox.get(meeting_id)
        if record is None or record["status"] != "active":
            raise VideoRefused("NotFound")
        attendee = Attendee(
            attendee_id=_guid(f"{meeting_id}/{external_user_id}"),
            external_user_id=external_user_id,
            join_token="sandbox-" + ids.token(40),
        )
        self.outbox.add_attendee(meeting_id, external_user_id)
        return attendee

    def end_meeting(self, meeting_id: str) -> None:
        """Mark the meeting ended (unknown or ended meetings: nothing to do)."""
        self.outbox.set_status(meeting_id, "ended")

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        """The recorded meeting while it is active, else None."""
        record = self.outbox.get(meeting_id)
        if record is None or record["status"] != "active":
            return None
        return Meeting(
            meeting_id=meeting_id,
            external_meeting_id=str(record["externalMeetingId"]),
            media_region=str(record["mediaRegion"]),
            media_placement={k: v.format(id=meeting_id) for k, v in _PLACEMENT.items()},
        )
