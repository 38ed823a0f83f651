"""DynamoDB access of the hub's session calls (issue 11; engage/voice/session_calls.py): the
two writes `store.py` has no function for. Keys come from `engage.core.keys` (via
`store.item_key` / `store.campaign_key`)."""

from __future__ import annotations

from pynamodb.exceptions import PutError

from engage.voice.models import CallQueueItem, VoiceCampaignItem


def create_campaign_if_absent(campaign: VoiceCampaignItem) -> bool:
    """Write `campaign` unless a campaign with its id exists (conditional put); True when
    written."""
    try:
        campaign.save(condition=VoiceCampaignItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def put_new_item(item: CallQueueItem) -> None:
    """Write one new queue item (its sequence number is fresh: the condition only guards
    against reuse)."""
    item.save(condition=CallQueueItem.pk.does_not_exist())
