"""DynamoDB access of the voice group (STYLE.md rule 1): keys, reads, queries, conditional
updates and batch writes of voice campaigns, call-queue items and the running-campaign
registry. What to write is decided by `engage.voice.calls` and `engage.voice.service`; the
semaphore item has its own module (`engage.voice.semaphore`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.models import Model

from engage.core import clock, keys
from engage.voice.models import CallQueueItem, RunningCampaignItem, VoiceCampaignItem


def campaign_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """Key of a voice campaign."""
    return keys.voice_campaign_partition(tenant_id), campaign_id


def item_key(tenant_id: str, campaign_id: str, seq: int) -> tuple[str, str]:
    """Key of a queue item (sort key: the zero-padded sequence number)."""
    return keys.call_queue_partition(tenant_id, campaign_id), f"{seq:06d}"


def running_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """Key of a campaign's entry in the running-campaign registry."""
    return keys.running_voice_campaigns_partition(), f"{tenant_id}#{campaign_id}"


def sweeping_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """Key of a cancelled campaign's entry in the registry of queues still being swept."""
    return keys.sweeping_voice_campaigns_partition(), f"{tenant_id}#{campaign_id}"


def get_campaign(tenant_id: str, campaign_id: str) -> VoiceCampaignItem | None:
    """The campaign (strongly consistent) or None."""
    try:
        return VoiceCampaignItem.get(*campaign_key(tenant_id, campaign_id), consistent_read=True)
    except VoiceCampaignItem.DoesNotExist:
        return None


def iter_campaigns(
    tenant_id: str, newest_first: bool = True, attributes: list[str] | None = None
) -> Iterator[VoiceCampaignItem]:
    """Every voice campaign of the tenant (one partition; ids are time-ordered)."""
    yield from VoiceCampaignItem.query(
        keys.voice_campaign_partition(tenant_id),
        scan_index_forward=not newest_first,
        attributes_to_get=attributes,
    )


def get_item(tenant_id: str, campaign_id: str, seq: int) -> CallQueueItem | None:
    """The queue item (strongly consistent) or None."""
    try:
        return CallQueueItem.get(*item_key(tenant_id, campaign_id, seq), consistent_read=True)
    except CallQueueItem.DoesNotExist:
        return None


def iter_queue(tenant_id: str, campaign_id: str, **kwargs: Any) -> Iterator[CallQueueItem]:
    """A campaign's queue items in sequence order (`kwargs` go to Query)."""
    yield from CallQueueItem.query(keys.call_queue_partition(tenant_id, campaign_id), **kwargs)


def ready_items(
    tenant_id: str, campaign_id: str, due_by: str | None = None, limit: int | None = None
) -> Iterator[CallQueueItem]:
    """Keys of the campaign's `queued` items from the sparse ready index (GSI2), earliest due
    first; with `due_by` (ISO time) only those due by then."""
    condition = CallQueueItem.gsi2sk <= f"{due_by}#~" if due_by else None
    yield from CallQueueItem.ready.query(
        keys.call_ready_pk(tenant_id, campaign_id), condition, limit=limit
    )


def items_by_call_sid(provider: str, call_sid: str) -> list[tuple[str, str, int]]:
    """`(tenant_id, campaign_id, seq)` of the queue items a provider call id points at (GSI1)."""
    return [
        (str(hit.gsi1sk).split("#", 1)[1], str(hit.pk).rsplit("#", 1)[1], int(hit.sk))
        for hit in CallQueueItem.by_call_sid.query(keys.call_sid_index_pk(provider, call_sid))
    ]


def update_if(item: Model, actions: list[Any], condition: Any) -> bool:
    """Apply `actions` to `item` (which is refreshed with the new values) if `condition`
    holds; False, changing nothing, if it does not."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def add_counts(
    tenant_id: str, campaign_id: str, deltas: dict[str, int]
) -> VoiceCampaignItem | None:
    """Atomically ADD to the campaign's per-status counters; the campaign after the update, or
    None when it no longer exists (an update never recreates a deleted campaign)."""
    actions = [getattr(VoiceCampaignItem, k).add(v) for k, v in deltas.items() if v]
    if not actions:
        return get_campaign(tenant_id, campaign_id)
    item = VoiceCampaignItem(*campaign_key(tenant_id, campaign_id))
    return item if update_if(item, actions, VoiceCampaignItem.pk.exists()) else None


def save(item: Model) -> None:
    """Write one item whole (PutItem)."""
    item.save()


def write_queue(items: Iterable[CallQueueItem]) -> None:
    """Write queue items (BatchWriteItem, 25 per request, unprocessed items retried)."""
    with CallQueueItem.batch_write() as batch:
        for item in items:
            batch.save(item)


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete a campaign's queue items, its registry entry, then the campaign."""
    with CallQueueItem.batch_write() as batch:
        for item in iter_queue(tenant_id, campaign_id, attributes_to_get=["PK", "SK"]):
            batch.delete(item)
    set_running(tenant_id, campaign_id, False)
    set_sweeping(tenant_id, campaign_id, False)
    VoiceCampaignItem(*campaign_key(tenant_id, campaign_id)).delete()


def _register(key: tuple[str, str], tenant_id: str, campaign_id: str, present: bool) -> None:
    if present:
        RunningCampaignItem(
            *key, tenant_id=tenant_id, campaign_id=campaign_id, since=clock.now_iso()
        ).save()
    else:
        with contextlib.suppress(DeleteError):  # already gone
            RunningCampaignItem(*key).delete()


def set_running(tenant_id: str, campaign_id: str, running: bool) -> None:
    """Add the campaign to, or remove it from, the registry the pump walks."""
    _register(running_key(tenant_id, campaign_id), tenant_id, campaign_id, running)


def set_sweeping(tenant_id: str, campaign_id: str, sweeping: bool) -> None:
    """Add a cancelled campaign to, or remove it from, the registry of queues the tick sweeps."""
    _register(sweeping_key(tenant_id, campaign_id), tenant_id, campaign_id, sweeping)


def running_campaigns() -> list[RunningCampaignItem]:
    """Every campaign in `active`, system-wide (one partition; a few hundred at most)."""
    return list(RunningCampaignItem.query(keys.running_voice_campaigns_partition()))


def sweeping_campaigns() -> list[RunningCampaignItem]:
    """Every cancelled campaign whose queue is still being swept, system-wide."""
    return list(RunningCampaignItem.query(keys.sweeping_voice_campaigns_partition()))
