"""Short links (seed 004 "URL Shortener"): `GET /r/{token}` -> 302 to the stored destination.

A token is the message's 8-character link token plus one base62 character for the link's
position in the campaign message. Only URLs stored on the campaign at creation can be reached,
and the click is counted against the campaign and the message (which names the contact).
"""

from __future__ import annotations

from engage.campaigns import stats
from engage.campaigns.compose import TOKEN_LENGTH
from engage.campaigns.models import CampaignItem, MessageItem
from engage.core import ids, keys
from engage.core.errors import NotFound


def resolve_click(token: str) -> str:
    """The destination URL for `token`, with the click recorded; raises NotFound."""
    if len(token) != TOKEN_LENGTH + 1 or not token.isalnum():
        raise NotFound("Link not found")
    base, index_char = token[:TOKEN_LENGTH], token[TOKEN_LENGTH]
    try:
        index = ids.base62_index(index_char)
    except ValueError:
        raise NotFound("Link not found") from None
    hits = list(MessageItem.by_link.query(keys.link_index_pk(base), limit=1))
    if not hits:
        raise NotFound("Link not found")
    pk, sk = hits[0].pk, hits[0].sk
    parts = pk.split("#")  # T#<tenant>#M#<campaign>#<shard>
    tenant_id, campaign_id = parts[1], parts[3]
    try:
        campaign = CampaignItem.get(keys.campaign_partition(tenant_id), campaign_id)
    except CampaignItem.DoesNotExist:
        raise NotFound("Link not found") from None
    links = list(campaign.links or [])
    if index >= len(links):
        raise NotFound("Link not found")
    MessageItem(pk, sk).update(
        actions=[MessageItem.clicks.add(1)], condition=MessageItem.pk.exists()
    )
    stats.add_campaign_counts(tenant_id, campaign_id, clicks=1)
    return str(links[index])
