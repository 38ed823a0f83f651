"""The call queue (seed 002 "Queue API Endpoints"): one item, a campaign's queue, the account's
queue across campaigns, and cancelling one queued call."""

from __future__ import annotations

from typing import Any

from engage.core import keys
from engage.core.errors import Conflict, NotFound
from engage.voice import store, transitions
from engage.voice.models import CallQueueItem
from engage.voice.service import get_campaign_item
from engage.voice.wire import page_block, queue_public


def get_queue_item(tenant_id: str, item_id: str) -> CallQueueItem:
    """A queue item by its public id; NotFound otherwise (also for other tenants' ids)."""
    parsed = keys.parse_voice_queue_item_id(item_id)
    item = store.get_item(tenant_id, *parsed) if parsed else None
    if item is None:
        raise NotFound("Queue item not found")
    return item


def queue_item(tenant_id: str, item_id: str) -> dict[str, Any]:
    """One queue item with its call log (`VoiceQueueItemPublic`)."""
    return queue_public(get_queue_item(tenant_id, item_id))


def cancel_queue_item(tenant_id: str, item_id: str) -> dict[str, Any]:
    """Cancel one queued call (409 when it is not queued: in progress or finished)."""
    item = get_queue_item(tenant_id, item_id)
    if not store.cancel_queued(item, "cancelled_by_user"):
        current = get_queue_item(tenant_id, item_id)
        raise Conflict(
            f"Only a queued call can be cancelled; this one is {current.status}",
            {"status": current.status},
        )
    transitions.bump(tenant_id, item.campaign_id, queued=-1, cancelled=1)
    return queue_public(item)


def campaign_queue(
    tenant_id: str, campaign_id: str, page: int, limit: int, status: str | None
) -> dict[str, Any]:
    """A page of a campaign's queue in upload order (optionally one status)."""
    campaign = get_campaign_item(tenant_id, campaign_id)
    if status:
        items = [i for i in store.iter_queue(tenant_id, campaign_id) if i.status == status]
        total = len(items)
        window = items[(page - 1) * limit : page * limit]
    else:
        total = int(campaign.total_contacts)
        first = (page - 1) * limit + 1
        window = list(store.iter_queue(tenant_id, campaign_id, from_seq=first, limit=limit))
        window = window[:limit]
    return {
        "campaign_id": campaign_id,
        "queue": [queue_public(i) for i in window],
        "pagination": page_block(page, limit, total),
    }


def account_queue(
    tenant_id: str, page: int, limit: int, status: str | None, campaign_id: str | None
) -> dict[str, Any]:
    """The account's queue items across campaigns, newest campaign first, then upload order.
    Reads campaigns until the page is filled; `total` comes from the campaigns' counters."""
    campaigns = [
        c for c in store.iter_campaigns(tenant_id) if not campaign_id or c.sk == campaign_id
    ]
    if status:
        total = sum(int(getattr(c, status)) for c in campaigns)
    else:
        total = sum(int(c.total_contacts) for c in campaigns)
    skip, window = (page - 1) * limit, list[CallQueueItem]()
    for campaign in campaigns:
        if len(window) >= limit:
            break
        size = int(getattr(campaign, status)) if status else int(campaign.total_contacts)
        if skip >= size:
            skip -= size
            continue
        for item in store.iter_queue(tenant_id, campaign.sk):
            if status and item.status != status:
                continue
            if skip:
                skip -= 1
                continue
            window.append(item)
            if len(window) >= limit:
                break
    return {
        "queue": [queue_public(i) for i in window],
        "pagination": page_block(page, limit, total),
    }
