"""The video provider adapter interface (issue 10 "video"; DESIGN.md section 5, "Providers").

A video session is a meeting of Amazon Chime SDK Meetings (`engage.channels.chime_video`) or
of the sandbox (`engage.channels.video_sandbox`), chosen by VIDEO_PROVIDER
(`engage.channels.video_registry.video_adapter`). The shapes follow the Chime SDK's
`Meeting` and `Attendee` (https://docs.aws.amazon.com/chime-sdk/latest/APIReference/
API_meeting-chime_Meeting.html, API_meeting-chime_Attendee.html), snake_case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Meeting:
    """A meeting as the provider made it: its id (a GUID for Chime), the ExternalMeetingId we
    gave it, the media region it runs in, and `media_placement`, the URLs a client SDK joins
    by (Chime's `MediaPlacement`: `AudioHostUrl`, `SignalingUrl`, ... -> URL)."""

    meeting_id: str
    external_meeting_id: str
    media_region: str
    media_placement: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Attendee:
    """One attendee of a meeting: its id, the ExternalUserId we gave it (a member or contact
    id) and `join_token`, the credential its client joins with (never stored, never logged)."""

    attendee_id: str
    external_user_id: str
    join_token: str


class VideoRefused(Exception):
    """The provider refused a call (`reason`: the provider's error code, never a token)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VideoAdapter(Protocol):
    """A video meeting provider. Every method raises VideoRefused when the provider refuses."""

    name: str

    def create_meeting(self, external_meeting_id: str, tenant_id: str) -> Meeting:
        """Create a meeting (idempotent per `external_meeting_id`: a retried call answers the
        same meeting)."""
        ...

    def create_attendee(self, meeting_id: str, external_user_id: str) -> Attendee:
        """Add an attendee (2-64 characters of `external_user_id`) and return its join info."""
        ...

    def end_meeting(self, meeting_id: str) -> None:
        """End the meeting for everyone; a meeting that is already gone is no error."""
        ...

    def get_meeting(self, meeting_id: str) -> Meeting | None:
        """The meeting while it runs, None once it has ended or never existed."""
        ...
