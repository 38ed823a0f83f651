"""Storage of the fixed-window rate-limit counters (one item per scope and minute)."""

from __future__ import annotations

from engage.core import keys
from engage.core.aws import client
from engage.core.settings import get_settings


def count_hit(scope: str, window: int, expires_at: int) -> int:
    """Add one to the counter of `scope` in the minute `window` (epoch minutes) and return the
    new count. One atomic `ADD`; the item expires by TTL at `expires_at` (epoch seconds)."""
    pk, sk = keys.rate_key(scope, window)
    result = client("dynamodb").update_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        UpdateExpression="ADD #c :one SET expiresAt = :exp",
        ExpressionAttributeNames={"#c": "count"},
        ExpressionAttributeValues={":one": {"N": "1"}, ":exp": {"N": str(expires_at)}},
        ReturnValues="UPDATED_NEW",
    )
    return int(result["Attributes"]["count"]["N"])
