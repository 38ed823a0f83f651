"""Video sessions (issue 10 "video"; README "Video sessions"): a meeting through the video
adapter (VIDEO_PROVIDER: the sandbox, or Amazon Chime SDK Meetings) in a conversation of the
customer on channel `video`, with one attendee for the agent (ExternalUserId: their member id)
and one for the customer (their contact id).

Creating a session checks the customer and the conversation named, creates the meeting and
both attendees, then opens the conversation if a new one is needed and writes the session (a
provider refusal leaves nothing behind: no conversation is opened, the meeting is deleted
again, best effort). Ending
it (`end_session`) deletes the meeting and records the end through `ending.record_end`, the
same write the provider's `chime:MeetingEnded` event makes (ending.py): whichever comes first
ends the session, the other changes nothing. Every function takes the tenant first; another
tenant's ids, like unknown or malformed ones, are NotFound.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from engage.channels.video_base import Attendee, Meeting, VideoAdapter, VideoRefused
from engage.channels.video_registry import video_adapter
from engage.contacts import service as contacts
from engage.contacts.models import ContactItem
from engage.conversations import contact_channel
from engage.conversations import service as conversation_service
from engage.conversations import store as conversations
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel
from engage.core import clock, ids, keys
from engage.core.errors import NotFound, ProviderFailed, ValidationFailed
from engage.video import ending, store
from engage.video.models import VideoSessionItem
from engage.video.schemas import (
    AttendeeRole,
    EndedBy,
    VideoSessionCreate,
    VideoSessionListPublic,
    VideoSessionPublic,
    VideoSessionStatus,
)
from engage.video.wire import session_public

log = logging.getLogger(__name__)
PAGE_MAX = 100
_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # `core.ids.new_id`


def _session(tenant_id: str, session_id: str) -> VideoSessionItem:
    item = store.get(tenant_id, session_id) if _ID.match(session_id) else None
    if item is None:
        raise NotFound("Video session not found")
    return item


def _conversation(
    tenant_id: str, contact: ContactItem, conversation_id: str | None
) -> ConversationItem | None:
    """The conversation the session goes in (see `VideoSessionCreate`); None when a new one
    is to be opened (once the meeting exists, so a refusal opens none)."""
    if conversation_id is None:
        return contact_channel.latest_open(tenant_id, contact.sk, Channel.VIDEO)
    item = conversations.get_conversation(tenant_id, conversation_id)
    if item is None:
        raise NotFound("Conversation not found")
    if item.contact_id != contact.sk:
        raise ValidationFailed(
            "The conversation is another customer's", {"conversation_id": "not this customer's"}
        )
    if item.channel != Channel.VIDEO.value:
        raise ValidationFailed(
            "The conversation is not on the video channel",
            {"conversation_id": f"on channel {item.channel}, not video"},
        )
    return item


def _refused(exc: VideoRefused) -> ProviderFailed:
    return ProviderFailed("The video provider refused the request", {"reason": exc.reason})


@dataclass(frozen=True)
class _Joined:
    """A new meeting and its two attendees."""

    meeting: Meeting
    agent: Attendee
    customer: Attendee


def _meet(
    adapter: VideoAdapter, tenant_id: str, session_id: str, member_id: str, contact_id: str
) -> _Joined:
    """The meeting and both attendees; on a refusal, the meeting is deleted again."""
    external = keys.video_external_meeting_id(tenant_id, session_id)
    try:
        meeting = adapter.create_meeting(external, tenant_id)
    except VideoRefused as exc:
        raise _refused(exc) from None
    try:
        agent = adapter.create_attendee(meeting.meeting_id, member_id)
        customer = adapter.create_attendee(meeting.meeting_id, contact_id)
    except VideoRefused as exc:
        _end_quietly(adapter, meeting.meeting_id)
        raise _refused(exc) from None
    return _Joined(meeting, agent, customer)


def _end_quietly(adapter: VideoAdapter, meeting_id: str) -> None:
    try:
        adapter.end_meeting(meeting_id)
    except VideoRefused as exc:
        log.warning("video meeting left behind", extra={"reason": exc.reason})


def create_session(tenant_id: str, member_id: str, body: VideoSessionCreate) -> VideoSessionPublic:
    """Start a video session of member `member_id` with the customer `body.customer_id`:
    answers the session with both attendees' join tokens (the only answer that has them).
    Raises NotFound (customer or conversation), ValidationFailed (a conversation of another
    customer or channel), ProviderFailed (the provider refused; nothing is kept)."""
    contact = contacts.get_contact(tenant_id, body.customer_id)
    conversation = _conversation(tenant_id, contact, body.conversation_id)
    session_id = ids.new_id()
    adapter = video_adapter()
    joined = _meet(adapter, tenant_id, session_id, member_id, contact.sk)
    try:
        if conversation is None:
            conversation = conversation_service.open_conversation(tenant_id, contact, Channel.VIDEO)
        item = _item(tenant_id, session_id, member_id, adapter.name, joined)
        item.contact_id = contact.sk
        item.conversation_id = keys.parse_conversation_partition(conversation.pk)[1]
        store.put_new(item)
    except Exception:
        _end_quietly(adapter, joined.meeting.meeting_id)
        raise
    tokens = {
        AttendeeRole.AGENT: joined.agent.join_token,
        AttendeeRole.CUSTOMER: joined.customer.join_token,
    }
    return session_public(item, tokens)


def _item(
    tenant_id: str, session_id: str, member_id: str, provider: str, joined: _Joined
) -> VideoSessionItem:
    """A new, active session item (in the sparse index of active sessions), not yet saved."""
    meeting = joined.meeting
    return VideoSessionItem(
        *keys.video_session_key(tenant_id, session_id),
        member_id=member_id,
        provider=provider,
        meeting_id=meeting.meeting_id,
        external_meeting_id=meeting.external_meeting_id,
        media_region=meeting.media_region,
        media_placement=dict(meeting.media_placement),
        agent_attendee_id=joined.agent.attendee_id,
        customer_attendee_id=joined.customer.attendee_id,
        status=VideoSessionStatus.ACTIVE.value,
        created_at=clock.now_iso(),
        gsi1pk=keys.video_active_index_pk(tenant_id),
        gsi1sk=session_id,
    )


def get_session(tenant_id: str, session_id: str) -> VideoSessionPublic:
    """One session of the tenant (no join tokens)."""
    return session_public(_session(tenant_id, session_id))


def list_sessions(
    tenant_id: str, status: VideoSessionStatus | None, cursor: str | None, limit: int
) -> VideoSessionListPublic:
    """The tenant's sessions, newest first (`status=active`: the active ones only, from the
    sparse index); `cursor` is the last session id of the previous page."""
    if cursor is not None and not _ID.match(cursor):
        raise ValidationFailed("Invalid cursor", {"cursor": "must be a next_cursor"})
    limit = min(limit, PAGE_MAX)
    if status == VideoSessionStatus.ACTIVE:
        found_ids = store.active_ids(tenant_id, cursor, limit + 1)
        by_id = store.batch_get(tenant_id, found_ids[:limit])
        items = [by_id[s] for s in found_ids[:limit] if s in by_id]
        more = len(found_ids) > limit
        last = found_ids[limit - 1] if more else None
    else:
        found = store.page(tenant_id, cursor, limit + 1)
        more = len(found) > limit
        items = found[:limit]
        last = str(items[-1].sk) if more and items else None
        if status is not None:
            items = [i for i in items if i.status == status.value]
    return VideoSessionListPublic(data=[session_public(i) for i in items], next_cursor=last)


def count_active(tenant_id: str) -> int:
    """How many of the tenant's video sessions are active (channel status, `active_sessions`)."""
    return store.count_active(tenant_id)


def end_session(tenant_id: str, session_id: str) -> VideoSessionPublic:
    """End the session's meeting for everyone and record the end (duration from its start to
    now). Ending an ended session answers it unchanged. Raises NotFound, ProviderFailed."""
    item = _session(tenant_id, session_id)
    if item.ended_at is None:
        try:
            video_adapter().end_meeting(item.meeting_id)
        except VideoRefused as exc:
            raise _refused(exc) from None
        item = ending.record_end(tenant_id, item, clock.now_iso(), EndedBy.API)
    return session_public(item)
