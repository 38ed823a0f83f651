"""The video session item (issue 10 "video"; keys in core/keys_video.py).

`PK=T#<t>#VS`, `SK=<sessionId>`. An active session carries the sparse GSI1 key
`T#<t>#VSA` / `<sessionId>` (the tenant's active sessions, one KEYS_ONLY query); the write that
ends it removes that key and sets `endedAt`, `durationSeconds` and `status=ended` under the
condition that `endedAt` does not exist yet, so a session ends once however many times the end
route and Chime's `chime:MeetingEnded` event arrive. Join tokens are never stored.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import GSI1, BaseItem


class VideoSessionItem(BaseItem):
    """One video session: its meeting (provider, ids, region, media placement URLs), its
    two attendees (the agent's, ExternalUserId the member id; the customer's, the contact
    id), its conversation, and its times. `started_at` is when Chime says the meeting started
    (its first attendee joined), None until then; `duration_seconds` runs from `started_at`
    (else `created_at`) to `ended_at`; `ended_by` says which path ended it first (`api`,
    `event`)."""

    conversation_id = UnicodeAttribute(attr_name="conversationId")
    contact_id = UnicodeAttribute(attr_name="contactId")
    member_id = UnicodeAttribute(attr_name="memberId")
    provider = UnicodeAttribute()
    meeting_id = UnicodeAttribute(attr_name="meetingId")
    external_meeting_id = UnicodeAttribute(attr_name="externalMeetingId")
    media_region = UnicodeAttribute(attr_name="mediaRegion")
    media_placement = MapAttribute[str, Any](default=dict, attr_name="mediaPlacement")
    agent_attendee_id = UnicodeAttribute(attr_name="agentAttendeeId")
    customer_attendee_id = UnicodeAttribute(attr_name="customerAttendeeId")
    status = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    started_at = UnicodeAttribute(null=True, attr_name="startedAt")
    ended_at = UnicodeAttribute(null=True, attr_name="endedAt")
    duration_seconds = NumberAttribute(null=True, attr_name="durationSeconds")
    ended_by = UnicodeAttribute(null=True, attr_name="endedBy")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    active = GSI1()
