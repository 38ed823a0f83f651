"""Segment storage: segments (`T#<tenantId>#SEG`) and static members
(`T#<tenantId>#SEGM#<segmentId>`). The only audiences module that talks to DynamoDB."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError

from engage.audiences.models import MembershipItem, SegmentItem
from engage.core import keys


def segments(tenant_id: str) -> list[SegmentItem]:
    """Every segment of the tenant (a few dozen at most)."""
    return list(SegmentItem.query(keys.segment_partition(tenant_id)))


def get(tenant_id: str, segment_id: str) -> SegmentItem | None:
    """A segment, or None."""
    try:
        return SegmentItem.get(keys.segment_partition(tenant_id), segment_id)
    except SegmentItem.DoesNotExist:
        return None


def new_item(tenant_id: str, segment_id: str, **fields: Any) -> SegmentItem:
    """An unsaved segment item."""
    return SegmentItem(keys.segment_partition(tenant_id), segment_id, **fields)


def put_if_absent(item: SegmentItem) -> bool:
    """Create a segment unless its id exists (system segments); False when it did."""
    try:
        item.save(condition=SegmentItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def put(item: SegmentItem) -> None:
    """Write a segment."""
    item.save()


def add_members(tenant_id: str, segment_id: str, contact_ids: Iterable[str]) -> None:
    """Write static members (BatchWriteItem)."""
    with MembershipItem.batch_write() as batch:
        for contact_id in contact_ids:
            batch.save(MembershipItem(keys.membership_partition(tenant_id, segment_id), contact_id))


def member_ids(tenant_id: str, segment_id: str) -> set[str]:
    """Every static member's contact id."""
    partition = keys.membership_partition(tenant_id, segment_id)
    return {m.sk for m in MembershipItem.query(partition)}


def member_page(
    tenant_id: str, segment_id: str, start_key: dict[str, Any] | None, size: int
) -> tuple[list[str], dict[str, Any] | None]:
    """One page of static members' contact ids and the key to continue from (None at the end)."""
    result = MembershipItem.query(
        keys.membership_partition(tenant_id, segment_id),
        limit=size,
        page_size=size,
        last_evaluated_key=start_key,
    )
    ids = [m.sk for m in result]
    return ids, result.last_evaluated_key


def delete(tenant_id: str, segment: SegmentItem) -> None:
    """Delete a segment and its static members."""
    with MembershipItem.batch_write() as batch:
        for m in MembershipItem.query(keys.membership_partition(tenant_id, segment.sk)):
            batch.delete(m)
    segment.delete()
