"""A customer's SMS or WhatsApp reply that answers a rating request (issue 11 "Analytics": "a
reply with a digit on SMS and WhatsApp"; README "Customer satisfaction ratings").

`conversations.inbound.receive` asks `answer` before it writes every inbound SMS and WhatsApp
message: a reply that is a lone digit 1-5 (surrounding spaces allowed), in a session whose
rating request is pending on that channel and not expired, records the rating
(`service.record`, source `sms` / `whatsapp`) and closes the request. The digit is still
written into the conversation, without reopening the resolved session. A later digit (or a
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
