"""Customer-view storage (issue 11, seed 003 section 4): the only customers module that talks
to DynamoDB. Reads only, each a Query of one partition or a BatchGetItem (no Scan):

- a contact's voice calls: the call-queue items' GSI3 entry (`keys.contact_calls_index_pk`,
  KEYS_ONLY) newest first, then the items;
- campaign message items by key (the keys a history computes per campaign run and channel);
- the names of SMS/multichannel campaigns and of voice campaigns, by id.
"""

from __future__ import annotations

from collections.abc import Iterable

from engage.campaigns.models import CampaignItem
from engage.campaigns.models import MessageItem as CampaignMessageItem
from engage.core import keys
from engage.voice.models import CallQueueItem, VoiceCampaignItem


def contact_calls(tenant_id: str, contact_id: str, limit: int) -> list[CallQueueItem]:
    """Up to `limit` of the contact's call-queue items, newest queued first (one GSI3 Query,
    then one BatchGetItem); an entry whose item is gone is skipped."""
    entries = [
        (hit.pk, hit.sk)
        for hit in CallQueueItem.by_contact.query(
            keys.contact_calls_index_pk(tenant_id, contact_id),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
    ]
    found = {(i.pk, i.sk): i for i in CallQueueItem.batch_get(entries)}
    return [found[k] for k in entries if k in found]


def campaign_messages(item_keys: Iterable[tuple[str, str]]) -> list[CampaignMessageItem]:
    """The campaign message items that exist among `item_keys` (BatchGetItem)."""
    wanted = list(dict.fromkeys(item_keys))
    return list(CampaignMessageItem.batch_get(wanted)) if wanted else []


def campaign_names(tenant_id: str, campaign_ids: Iterable[str]) -> dict[str, str]:
    """Campaign id -> name, for the campaigns that exist (BatchGetItem of `name` only)."""
    wanted = list(dict.fromkeys(campaign_ids))
    if not wanted:
        return {}
    items = CampaignItem.batch_get(
        [(keys.campaign_partition(tenant_id), c) for c in wanted],
        attributes_to_get=["PK", "SK", "name"],
    )
    return {i.sk: i.name for i in items}


def voice_campaign_names(tenant_id: str, campaign_ids: Iterable[str]) -> dict[str, str]:
    """Voice campaign id -> name, for the campaigns that exist (BatchGetItem of `name`)."""
    wanted = list(dict.fromkeys(campaign_ids))
    if not wanted:
        return {}
    items = VoiceCampaignItem.batch_get(
        [(keys.voice_campaign_partition(tenant_id), c) for c in wanted],
        attributes_to_get=["PK", "SK", "name"],
    )
    return {i.sk: i.name for i in items}
