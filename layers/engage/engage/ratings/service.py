"""Recording a session's rating (issue 11 "Analytics": the answer is recorded against the
session, its agent and its channel; README "Customer satisfaction ratings").

A session (a conversation) has at most one rating: the first answer is kept and any later one
is a 409 (Conflict), so a customer who rates twice is counted once (`rating.recorded` is
derived from the rating item's stream INSERT, ratings/events.py, and a refused write makes no
record). The agent is the session's assignee when it resolved, as the pending rating request
recorded it (ratings/ask.py), else its assignee when rated. Recording closes the request, so a
later digit on SMS or WhatsApp is an ordinary message.
"""

from __future__ import annotations

from engage.conversations.access import conversation_for
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel
from engage.conversations.wire import conversation_id_of
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound
from engage.ratings import store
from engage.ratings.models import RatingItem
from engage.ratings.schemas import RatingCreate, RatingPublic, RatingSource


def record(
    tenant_id: str,
    conv: ConversationItem,
    score: int,
    comment: str | None,
    source: RatingSource,
    recorded_by: str | None = None,
) -> RatingItem:
    """Write the session's one rating (`score` 1-5, checked by the caller) and close its
    pending request. Raises Conflict when the session is already rated."""
    session_id = conversation_id_of(conv)
    request = store.get_request(tenant_id, session_id)
    item = RatingItem(
        *keys.rating_key(tenant_id, session_id),
        rating_id=ids.new_id(),
        contact_id=conv.contact_id,
        channel=conv.channel,
        agent_id=request.agent_id if request is not None else conv.assignee_id,
        score=score,
        comment=comment,
        source=source.value,
        recorded_by=recorded_by,
        created_at=clock.now_iso(),
    )
    if not store.put_rating(item):
        raise Conflict("This session has already been rated", {"session": "already rated"})
    if request is not None:
        store.close_request(tenant_id, session_id)
    return item


def public(session_id: str, item: RatingItem) -> RatingPublic:
    """The wire shape of a rating."""
    return RatingPublic(
        rating_id=item.rating_id,
        session_id=session_id,
        score=int(item.score),
        comment=item.comment,
        channel=Channel(item.channel),
        agent_id=item.agent_id,
        created_at=item.created_at,
    )


def rate_own(
    tenant_id: str, end_user_id: str, conversation_id: str, body: RatingCreate
) -> RatingPublic:
    """The end user `end_user_id` (their external id) rates their own conversation. Raises
    NotFound for any other conversation, Conflict when it is already rated."""
    conv = conversation_for(tenant_id, conversation_id, end_user_id=end_user_id)
    if conv is None:
        raise NotFound("Conversation not found")
    item = record(tenant_id, conv, body.score, body.comment, RatingSource.END_USER)
    return public(conversation_id, item)


def rate_session(
    tenant_id: str, member_id: str, session_id: str, body: RatingCreate
) -> RatingPublic:
    """A member records the customer's rating of the tenant's session `session_id` (e.g. given
    on a phone call). Raises NotFound for an unknown (or another tenant's) session, Conflict
    when it is already rated."""
    conv = conversation_for(tenant_id, session_id, end_user_id=None)
    if conv is None:
        raise NotFound("Session not found")
    item = record(
        tenant_id, conv, body.score, body.comment, RatingSource.CONSOLE, recorded_by=member_id
    )
    return public(session_id, item)
