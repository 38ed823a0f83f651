"""Short-link look-ups: the message a link token names (GSI1 `LINK#<token>`), the campaign's
stored destinations, and the click counter and click times on the message item."""

from __future__ import annotations

from botocore.exceptions import ClientError

from engage.campaigns.models import CampaignItem, MessageItem
from engage.core import aws, keys
from engage.core.settings import get_settings


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


def count_click(message_pk: str, message_sk: str, at: str) -> bool:
    """Add one click to the message item and record its time (`firstClickedAt` once,
    `lastClickedAt` every time; ISO 8601 UTC), which conversion attribution reads
    (engage/attribution); False when the item is gone (expired).

    One UpdateItem through the low-level client: the click times are not `MessageItem`
    attributes (the campaigns group owns that model), and DynamoDB's `if_not_exists` keeps
    the first time."""
    try:
        aws.client("dynamodb").update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": message_pk}, "SK": {"S": message_sk}},
            UpdateExpression=(
                "ADD clicks :one SET lastClickedAt = :at, "
                "firstClickedAt = if_not_exists(firstClickedAt, :at)"
            ),
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":one": {"N": "1"}, ":at": {"S": at}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True
