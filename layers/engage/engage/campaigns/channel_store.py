"""Storage of campaigns on several channels (issue 10): the audience `all` read with the
attributes every channel needs, and the per-contact frequency-cap items. Plain DynamoDB items
through `store.ddb_client()`, like the rest of the send path.

Frequency-cap item (`keys.frequency_cap_key`): `v` (a version, +1 on every write), one list
attribute per channel (`sms`, `whatsapp`, `email`) of `keys.frequency_cap_entry` strings, the
sends of the last window, and `expiresAt` (TTL). It is written only by a conditional
PutItem on the version read, so two campaigns sending to one contact at once cannot both take
the last slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from engage.campaigns.channel_plan import CHANNELS
from engage.campaigns.store import CCF, ddb_client
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
    """A contact's frequency-cap item as read: `version` 0 when there is none."""

    version: int = 0
    sends: dict[str, list[str]] = field(default_factory=dict)


def _cap_key(tenant_id: str, contact_id: str) -> tuple[str, str]:
    return keys.frequency_cap_key(
        tenant_id, contact_id, ids.shard_of(contact_id, get_settings().message_shards)
    )


def _record(item: dict[str, Any]) -> CapRecord:
    sends = {c: [e["S"] for e in item.get(c, {}).get("L", [])] for c in CHANNELS if c in item}
    return CapRecord(int(item["v"]["N"]), sends)


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


def read_cap(tenant_id: str, contact_id: str) -> CapRecord:
    """One contact's cap item (consistent GetItem), or an empty record."""
    pk, sk = _cap_key(tenant_id, contact_id)
    got = ddb_client().get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        ConsistentRead=True,
    )
    return _record(got["Item"]) if "Item" in got else CapRecord()


def put_cap(
    tenant_id: str, contact_id: str, expected: int, sends: dict[str, list[str]], expires_at: int
) -> bool:
    """Replace the contact's cap item if its version is still `expected` (0: it must not
    exist); False when another writer came first."""
    pk, sk = _cap_key(tenant_id, contact_id)
    item: dict[str, Any] = {
        "PK": {"S": pk},
        "SK": {"S": sk},
        "v": {"N": str(expected + 1)},
        "expiresAt": {"N": str(expires_at)},
    }
    for channel, entries in sends.items():
        item[channel] = {"L": [{"S": e} for e in entries]}
    condition: dict[str, Any] = (
        {"ConditionExpression": "attribute_not_exists(PK)"}
        if expected == 0
        else {
            "ConditionExpression": "v = :v",
            "ExpressionAttributeValues": {":v": {"N": str(expected)}},
        }
    )
    try:
        ddb_client().put_item(TableName=get_settings().table_name, Item=item, **condition)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return False
        raise
    return True
