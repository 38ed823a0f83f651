"""Storage of claimed event ids (events/seen.py)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute
from pynamodb.exceptions import PutError

from engage.core import clock, keys
from engage.core.db import BaseItem

SEEN_TTL_SECONDS = 86400


class SeenEventItem(BaseItem):
    """`PK=EVT#<consumer>#<eventId>`, `SK=EVT`; expires after SEEN_TTL_SECONDS."""

    expires_at = NumberAttribute(attr_name="expiresAt")


def put_once(consumer: str, event_id: str) -> bool:
    """Put the claim unless it exists; False when it did."""
    pk, sk = keys.seen_event_key(consumer, event_id)
    item = SeenEventItem(pk, sk, expires_at=int(clock.now().timestamp()) + SEEN_TTL_SECONDS)
    try:
        item.save(condition=SeenEventItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def delete_claim(consumer: str, event_id: str) -> None:
    """Forget a claim (idempotent), so a redelivery is handled again."""
    SeenEventItem(*keys.seen_event_key(consumer, event_id)).delete()
