"""Storage of campaigns on several channels (issue 10): the audience `all` read with the
attributes every channel needs, and the per-contact frequency-cap items. Plain DynamoDB items
through `store.ddb_client()`, like the rest of the send path.

Frequency-cap item (`keys.frequency_cap_key`): one list attribute per channel (`sms`,
`whatsapp`, `email`) of `keys.frequency_cap_entry` strings, the sends of the last window, and
`expiresAt` (TTL). Cap items are read and written in batches (BatchGetItem, BatchWriteItem)
only by the holder of the tenant's cap lease (`keys.frequency_cap_lease_key`: `holder`, a
random id; `until`, epoch milliseconds; taken with one conditional PutItem, given back with a
conditional DeleteItem), so two campaigns sending to one contact at once cannot both take the
last slot (engage.campaigns.caps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from engage.campaigns.channel_plan import CHANNELS
from engage.campaigns.store import CCF, batch_put, ddb_client
from engage.core import ids, keys
from engage.core.settings import get_settings

CONSENT_ATTRS = {"sms": "smsConsent", "whatsapp": "whatsappConsent", "email": "emailConsent"}
"""The contact item's consent attribute per channel (the contract of engage.contacts.consent)."""


def reachable_contacts(
    tenant_id: str, shard: int, before_id: str, channels: tuple[str, ...]
) -> list[list[Any]]:
    """`[contactId, phoneE164, firstName, lastName, email, {channel: consent}]` of one
    contact shard's contacts created before `before_id` that opted in to one of `channels`
    (the audience "all" of a campaign on several channels), read with a projection."""
    names = {f"#c{i}": CONSENT_ATTRS[c] for i, c in enumerate(channels)}
    params: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "PK = :pk AND SK < :before",
        "FilterExpression": " OR ".join(f"{n} = :in" for n in names),
        "ProjectionExpression": "SK, phoneE164, firstName, lastName, email, " + ", ".join(names),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {
            ":pk": {"S": keys.contact_partition(tenant_id, shard)},
            ":before": {"S": before_id},
            ":in": {"S": "opted_in"},
        },
    }
    out: list[list[Any]] = []
    while True:
        got = ddb_client().query(**params)
        for it in got["Items"]:
            consents = {c: it.get(CONSENT_ATTRS[c], {}).get("S", "unknown") for c in channels}
            out.append(
                [
                    it["SK"]["S"],
                    it.get("phoneE164", {}).get("S") or None,
                    it.get("firstName", {}).get("S"),
                    it.get("lastName", {}).get("S"),
                    it.get("email", {}).get("S") or None,
                    consents,
                ]
            )
        if "LastEvaluatedKey" not in got:
            return out
        params["ExclusiveStartKey"] = got["LastEvaluatedKey"]


@dataclass
class CapRecord:
    """A contact's frequency-cap item as read: the entries of each channel (none when the
    contact has no item)."""

    sends: dict[str, list[str]] = field(default_factory=dict)


def _cap_key(tenant_id: str, contact_id: str) -> tuple[str, str]:
    return keys.frequency_cap_key(
        tenant_id, contact_id, ids.shard_of(contact_id, get_settings().message_shards)
    )


def _record(item: dict[str, Any]) -> CapRecord:
    return CapRecord({c: [e["S"] for e in item[c].get("L", [])] for c in CHANNELS if c in item})


def read_caps(tenant_id: str, contact_ids: list[str]) -> dict[str, CapRecord]:
    """The cap items of `contact_ids` that exist (BatchGetItem, 100 a request, consistent)."""
    table = get_settings().table_name
    out: dict[str, CapRecord] = {}
    for i in range(0, len(contact_ids), 100):
        request = {
            "Keys": [
                {"PK": {"S": pk}, "SK": {"S": sk}}
                for pk, sk in (_cap_key(tenant_id, c) for c in contact_ids[i : i + 100])
            ],
            "ConsistentRead": True,
        }
        pending: dict[str, Any] = {table: request}
        while pending:
            got = ddb_client().batch_get_item(RequestItems=pending)
            for item in got["Responses"].get(table, []):
                out[item["SK"]["S"]] = _record(item)
            pending = got.get("UnprocessedKeys") or {}
    return out


def put_caps(
    tenant_id: str, records: list[tuple[str, dict[str, list[str]]]], expires_at: int
) -> None:
    """Replace the cap items of `records` (`(contact_id, {channel: entries})`), 25 a
    BatchWriteItem: unconditional, so only the holder of the tenant's cap lease may call it."""
    items: list[dict[str, Any]] = []
    for contact_id, sends in records:
        pk, sk = _cap_key(tenant_id, contact_id)
        item: dict[str, Any] = {
            "PK": {"S": pk},
            "SK": {"S": sk},
            "expiresAt": {"N": str(expires_at)},
        }
        for channel, entries in sends.items():
            item[channel] = {"L": [{"S": e} for e in entries]}
        items.append(item)
    batch_put(items)


def take_cap_lease(tenant_id: str, holder: str, now_ms: int, until_ms: int) -> bool:
    """Take the tenant's frequency-cap lease for `holder` until `until_ms` (epoch
    milliseconds) if nobody holds it or its holder's lease ran out before `now_ms`; False
    when a live holder has it (one conditional PutItem)."""
    pk, sk = keys.frequency_cap_lease_key(tenant_id)
    try:
        ddb_client().put_item(
            TableName=get_settings().table_name,
            Item={
                "PK": {"S": pk},
                "SK": {"S": sk},
                "holder": {"S": holder},
                "until": {"N": str(until_ms)},
                "expiresAt": {"N": str(until_ms // 1000 + 86_400)},
            },
            ConditionExpression="attribute_not_exists(PK) OR #u < :now",
            ExpressionAttributeNames={"#u": "until"},
            ExpressionAttributeValues={":now": {"N": str(now_ms)}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return False
        raise
    return True


def give_back_cap_lease(tenant_id: str, holder: str) -> None:
    """Delete the tenant's cap lease if `holder` still has it (nothing otherwise)."""
    pk, sk = keys.frequency_cap_lease_key(tenant_id)
    try:
        ddb_client().delete_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": pk}, "SK": {"S": sk}},
            ConditionExpression="holder = :me",
            ExpressionAttributeValues={":me": {"S": holder}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] != CCF:
            raise
