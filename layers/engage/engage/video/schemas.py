"""Video session wire schemas (issue 10 "video"; README "Video sessions"): snake_case, bare
resources, lists as `{"data": [...], "next_cursor": ...}` (as the console's conversations).
Also the shape of Chime's meeting lifecycle events, as EventBridge delivers them
(https://docs.aws.amazon.com/chime-sdk/latest/dg/using-events.html)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from engage.core.schemas import PublicModel, RequestModel

ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class VideoSessionStatus(StrEnum):
    """A session is `active` from its creation until its meeting ends, then `ended`."""

    ACTIVE = "active"
    ENDED = "ended"


class AttendeeRole(StrEnum):
    """Who an attendee is: the team member who created the session, or the customer."""

    AGENT = "agent"
    CUSTOMER = "customer"


class VideoProvider(StrEnum):
    """Where the meeting runs (VIDEO_PROVIDER)."""

    SANDBOX = "sandbox"
    CHIME = "chime"


class EndedBy(StrEnum):
    """Which path ended a session first: the end route, or the provider's meeting-ended event."""

    API = "api"
    EVENT = "event"


# -- requests --------------------------------------------------------------------------------
class VideoSessionCreate(RequestModel):
    """Start a video session with a customer (a contact id), in their video conversation:
    `conversation_id` names one (it must be the contact's, on channel `video`); without it the
    contact's newest unresolved video conversation is reused, else a new one is opened."""

    customer_id: str = Field(pattern=ID_PATTERN, description="the contact's id")
    conversation_id: str | None = Field(default=None, pattern=ID_PATTERN)


# -- responses -------------------------------------------------------------------------------
class MeetingPublic(PublicModel):
    """The meeting, as a Chime SDK client joins it (Chime's `Meeting`, snake_case):
    `media_placement` maps Chime's URL names (`AudioHostUrl`, `SignalingUrl`, ...) to URLs."""

    meeting_id: str
    external_meeting_id: str
    media_region: str
    media_placement: dict[str, str]


class AttendeePublic(PublicModel):
    """One attendee (Chime's `Attendee`, snake_case). `external_user_id` is the member id of
    the agent or the contact id of the customer. `join_token` is the attendee's credential:
    only the answer that created the session carries it (it is never stored), null elsewhere."""

    role: AttendeeRole
    attendee_id: str
    external_user_id: str
    join_token: str | None = None


class VideoSessionPublic(PublicModel):
    """A video session. Times are ISO 8601 UTC; `duration_seconds` and `minutes` (the
    duration in minutes, rounded up: what the channel's metrics count) once it has ended."""

    session_id: str
    conversation_id: str
    customer_id: str
    agent_id: str
    provider: VideoProvider
    status: VideoSessionStatus
    meeting: MeetingPublic
    attendees: list[AttendeePublic]
    created_at: str
    started_at: str | None = None
    ended_at: str | None = None
    ended_by: EndedBy | None = None
    duration_seconds: int | None = None
    minutes: int | None = None


class VideoSessionListPublic(PublicModel):
    """A page of sessions, newest first; `next_cursor` goes in `cursor` for the next page."""

    data: list[VideoSessionPublic]
    next_cursor: str | None = None


# -- Chime's meeting events (EventBridge) ----------------------------------------------------
class ChimeMeetingDetail(BaseModel):
    """`detail` of a `Chime Meeting State Change` event: `eventType` (`chime:MeetingStarted`,
    `chime:MeetingEnded`, attendee events...), `timestamp` (epoch milliseconds), the ids."""

    model_config = ConfigDict(extra="ignore")

    event_type: str = Field(alias="eventType", max_length=100)
    timestamp: int | None = None
    meeting_id: str = Field(alias="meetingId", max_length=64)
    external_meeting_id: str | None = Field(default=None, alias="externalMeetingId", max_length=64)


class ChimeMeetingEvent(BaseModel):
    """An EventBridge event from `aws.chime` of detail-type `Chime Meeting State Change`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    source: str
    detail_type: str = Field(alias="detail-type")
    time: str | None = None
    detail: ChimeMeetingDetail
