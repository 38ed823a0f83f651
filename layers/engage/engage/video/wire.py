"""Video session items to their wire shape (schemas.py)."""

from __future__ import annotations

import math

from engage.video.models import VideoSessionItem
from engage.video.schemas import (
    AttendeePublic,
    AttendeeRole,
    EndedBy,
    MeetingPublic,
    VideoProvider,
    VideoSessionPublic,
    VideoSessionStatus,
)


def minutes_of(duration_seconds: int | None) -> int | None:
    """A duration in whole minutes, rounded up (0 s is 0 minutes), or None."""
    if duration_seconds is None:
        return None
    return math.ceil(max(0, duration_seconds) / 60)


def session_id_of(item: VideoSessionItem) -> str:
    """The session id of an item (its sort key)."""
    return str(item.sk)


def session_public(
    item: VideoSessionItem, join_tokens: dict[AttendeeRole, str] | None = None
) -> VideoSessionPublic:
    """The session; `join_tokens` (by role) only in the answer that created it."""
    tokens = join_tokens or {}
    raw = item.media_placement
    placement = dict(raw.as_dict()) if hasattr(raw, "as_dict") else dict(raw or {})
    duration = int(item.duration_seconds) if item.duration_seconds is not None else None
    return VideoSessionPublic(
        session_id=session_id_of(item),
        conversation_id=item.conversation_id,
        customer_id=item.contact_id,
        agent_id=item.member_id,
        provider=VideoProvider(item.provider),
        status=VideoSessionStatus(item.status),
        meeting=MeetingPublic(
            meeting_id=item.meeting_id,
            external_meeting_id=item.external_meeting_id,
            media_region=item.media_region,
            media_placement={str(k): str(v) for k, v in placement.items()},
        ),
        attendees=[
            AttendeePublic(
                role=AttendeeRole.AGENT,
                attendee_id=item.agent_attendee_id,
                external_user_id=item.member_id,
                join_token=tokens.get(AttendeeRole.AGENT),
            ),
            AttendeePublic(
                role=AttendeeRole.CUSTOMER,
                attendee_id=item.customer_attendee_id,
                external_user_id=item.contact_id,
                join_token=tokens.get(AttendeeRole.CUSTOMER),
            ),
        ],
        created_at=item.created_at,
        started_at=item.started_at,
        ended_at=item.ended_at,
        ended_by=EndedBy(item.ended_by) if item.ended_by else None,
        duration_seconds=duration,
        minutes=minutes_of(duration),
    )
