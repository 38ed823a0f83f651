"""Storage of ratings and rating requests (ratings/models.py): the only DynamoDB caller of
the ratings domain. Single-item writes, each conditional where a race matters."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from engage.core import keys
from engage.ratings.models import RatingItem, RatingRequestItem


def get_rating(tenant_id: str, session_id: str) -> RatingItem | None:
    """The session's rating (strongly consistent), or None."""
    try:
        return RatingItem.get(*keys.rating_key(tenant_id, session_id), consistent_read=True)
    except RatingItem.DoesNotExist:
        return None


def put_rating(item: RatingItem) -> bool:
    """Write the rating unless the session has one; False when it had."""
    try:
        item.save(condition=RatingItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_request(tenant_id: str, session_id: str) -> RatingRequestItem | None:
    """The session's rating request, expired or not (strongly consistent), or None."""
    try:
        return RatingRequestItem.get(
            *keys.rating_request_key(tenant_id, session_id), consistent_read=True
        )
    except RatingRequestItem.DoesNotExist:
        return None


def put_request(item: RatingRequestItem) -> None:
    """Write the session's rating request (replacing an earlier resolution's)."""
    item.save()


def close_request(tenant_id: str, session_id: str) -> bool:
    """Delete the session's rating request; False when there was none (already closed)."""
    item = RatingRequestItem(*keys.rating_request_key(tenant_id, session_id))
    try:
        item.delete(condition=RatingRequestItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
