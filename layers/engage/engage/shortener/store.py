"""Short-link look-ups: the message a link token names (GSI1 `LINK#<token>`), the campaign's
stored destinations, and the click counter on the message item."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from engage.campaigns.models import CampaignItem, MessageItem
from engage.core import keys


def message_key_of_link(token: str) -> tuple[str, str] | None:
    """`(pk, sk)` of the message whose link token is `token`, or None."""
    hits = list(MessageItem.by_link.query(keys.link_index_pk(token), limit=1))
    return (hits[0].pk, hits[0].sk) if hits else None


def campaign_links(tenant_id: str, campaign_id: str) -> list[str] | None:
    """The destinations stored on a campaign at creation, or None when it is gone."""
    try:
        campaign = CampaignItem.get(keys.campaign_partition(tenant_id), campaign_id)
    except CampaignItem.DoesNotExist:
        return None
    return [str(link) for link in campaign.links or []]


def count_click(message_pk: str, message_sk: str) -> bool:
    """Add one click to the message item; False when the item is gone (expired)."""
    try:
        MessageItem(message_pk, message_sk).update(
            actions=[MessageItem.clicks.add(1)], condition=MessageItem.pk.exists()
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
