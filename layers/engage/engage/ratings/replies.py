"""A customer's SMS or WhatsApp reply that answers a rating request (issue 11 "Analytics": "a
reply with a digit on SMS and WhatsApp"; README "Customer satisfaction ratings").

`conversations.inbound.receive` asks `answered_session` before it writes every inbound SMS and
WhatsApp message: a reply that is a lone digit 1-5 (surrounding spaces allowed) answers the
newest of the contact's recent sessions on that channel whose rating request is pending and
not expired (the session the message would go to first, then the others: the customer may
have another session open on the channel meanwhile); it records the rating
(`service.record`, source `sms` / `whatsapp`) and closes the request. The digit is
written into the rated session, without reopening it. A later digit (or a
redelivery of the same webhook) finds no pending request and is an ordinary message.
"""

from __future__ import annotations

from engage.conversations.models import ConversationItem
from engage.conversations.schemas import Channel
from engage.conversations.wire import conversation_id_of
from engage.core import clock
from engage.core.errors import Conflict
from engage.core.observability import logger
from engage.ratings import service, store
from engage.ratings.models import RatingRequestItem
from engage.ratings.schemas import MAX_SCORE, MIN_SCORE, RatingSource

REPLY_CHANNELS = {Channel.SMS: RatingSource.SMS, Channel.WHATSAPP: RatingSource.WHATSAPP}


def score_of(content: str) -> int | None:
    """The score a reply means: a lone ASCII digit 1-5 once stripped, else None."""
    text = content.strip()
    if len(text) == 1 and text.isascii() and text.isdigit():
        score = int(text)
        return score if MIN_SCORE <= score <= MAX_SCORE else None
    return None


def pending(request: RatingRequestItem | None, channel: Channel) -> bool:
    """Whether `request` still waits for an answer on `channel` (not expired)."""
    if request is None or request.channel != channel.value:
        return False
    return request.expires_at is None or request.expires_at > clock.now().timestamp()


def answer(tenant_id: str, conv: ConversationItem, channel: Channel, content: str) -> bool:
    """Record `content` as the rating of `conv` when it answers its pending request on
    `channel` (see the module docstring); True when it did (or when a concurrent answer
    already rated the session), False for an ordinary message."""
    source = REPLY_CHANNELS.get(channel)
    score = score_of(content)
    if source is None or score is None:
        return False
    session_id = conversation_id_of(conv)
    if not pending(store.get_request(tenant_id, session_id), channel):
        return False
    try:
        service.record(tenant_id, conv, score, None, source)
    except Conflict:  # rated meanwhile: this answer is not counted again
        store.close_request(tenant_id, session_id)
    logger.info("rating answered", extra={"channel": channel.value})
    return True


def answered_session(
    tenant_id: str, contact_id: str, conv: ConversationItem, channel: Channel, content: str
) -> ConversationItem | None:
    """The session a digit reply rated (see the module docstring): `conv` (where the message
    would go) when its request is pending, else the newest of the contact's recent sessions
    on `channel` with a pending request; None when the reply is an ordinary message (no
    lookup is made unless it is a lone digit 1-5 on SMS or WhatsApp)."""
    if channel not in REPLY_CHANNELS or score_of(content) is None:
        return None
    if answer(tenant_id, conv, channel, content):
        return conv
    from engage.conversations.contact_channel import recent_on_channel

    for other in recent_on_channel(tenant_id, contact_id, channel):
        if other.pk != conv.pk and answer(tenant_id, other, channel, content):
            return other
    return None
