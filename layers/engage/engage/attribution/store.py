"""Attribution storage (issue 10): the only module of the group that talks to DynamoDB.

Reads: the tenant's campaigns that were sending recently (one Query of the campaign
partition, projected), the recipients' campaign message items (BatchGetItem), the counters.
Writes: claim items (one conditional PutItem each: a redelivery finds the claim and counts
nothing) and counters (one UpdateItem of ADDs each). Items are written in wire form through
the low-level client: the revenue attributes are named by currency (`revenue_<ISO 4217>`),
which a fixed PynamoDB model cannot declare.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from engage.core import aws, keys
from engage.core.settings import get_settings

CCF = "ConditionalCheckFailedException"
BATCH_GET = 100  # BatchGetItem's limit of keys per request


@dataclasses.dataclass(frozen=True)
class CampaignRun:
    """A campaign that may have reached contacts recently: its id, its latest run number,
    whether its message carries short links, and its channels (`["sms"]` unless set)."""

    campaign_id: str
    run: int
    has_links: bool
    channels: tuple[str, ...] = ("sms",)


@dataclasses.dataclass(frozen=True)
class MessageFacts:
    """What attribution reads of one campaign message item (ISO 8601 UTC times)."""

    status: str
    created_at: str
    updated_at: str | None
    first_clicked_at: str | None
    last_clicked_at: str | None


@dataclasses.dataclass(frozen=True)
class Counts:
    """A counter item's values; `revenue` maps currency -> amount."""

    responses: int = 0
    conversions: int = 0
    revenue: dict[str, Decimal] = dataclasses.field(default_factory=dict)


def _ddb() -> Any:
    return aws.client("dynamodb")


def _table() -> str:
    return get_settings().table_name


def _s(value: Mapping[str, Any], name: str) -> str | None:
    got = value.get(name)
    return str(got["S"]) if isinstance(got, dict) and "S" in got else None


def campaigns_active_since(tenant_id: str, since: str) -> list[CampaignRun]:
    """The tenant's campaigns with a run enqueued at `since` or later, or still sending, or
    completed at `since` or later (one Query of the campaign partition, filtered and projected
    to a few attributes: a tenant has tens to hundreds of campaigns)."""
    request: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "PK = :pk",
        "FilterExpression": (
            "attribute_exists(enqueuedAt) AND (enqueuedAt >= :since "
            "OR attribute_not_exists(completedAt) OR completedAt >= :since)"
        ),
        "ProjectionExpression": "SK, #run, links, channels",
        "ExpressionAttributeNames": {"#run": "run"},
        "ExpressionAttributeValues": {
            ":pk": {"S": keys.campaign_partition(tenant_id)},
            ":since": {"S": since},
        },
    }
    out: list[CampaignRun] = []
    while True:
        got = _ddb().query(**request)
        for item in got.get("Items", []):
            run = int(item.get("run", {}).get("N", "0"))
            links = item.get("links", {}).get("S", "[]")  # JSONAttribute: a JSON string
            channels = tuple(str(c["S"]) for c in item.get("channels", {}).get("L", []) if "S" in c)
            if run > 0:
                has_links = links not in ("[]", "null", "")
                out.append(CampaignRun(item["SK"]["S"], run, has_links, channels or ("sms",)))
        if "LastEvaluatedKey" not in got:
            return out
        request["ExclusiveStartKey"] = got["LastEvaluatedKey"]


def _batch_get(
    item_keys: Iterable[tuple[str, str]], options: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    """The items that exist among `item_keys` (BatchGetItem with `options`, 100 keys a
    request, unprocessed keys retried)."""
    wanted = list(dict.fromkeys(item_keys))
    table = _table()
    for i in range(0, len(wanted), BATCH_GET):
        chunk = wanted[i : i + BATCH_GET]
        request = {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in chunk], **options}
        pending: dict[str, Any] = {table: request}
        while pending:
            got = _ddb().batch_get_item(RequestItems=pending)
            yield from got["Responses"].get(table, [])
            pending = got.get("UnprocessedKeys") or {}


def message_facts(item_keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], MessageFacts]:
    """The facts of the message items that exist, by key (eventually consistent reads: a
    reply or an order comes well after its message was written)."""
    options = {
        "ProjectionExpression": "PK, SK, #s, createdAt, updatedAt, firstClickedAt, lastClickedAt",
        "ExpressionAttributeNames": {"#s": "status"},
    }
    return {
        (item["PK"]["S"], item["SK"]["S"]): MessageFacts(
            status=_s(item, "status") or "",
            created_at=_s(item, "createdAt") or "",
            updated_at=_s(item, "updatedAt"),
            first_clicked_at=_s(item, "firstClickedAt"),
            last_clicked_at=_s(item, "lastClickedAt"),
        )
        for item in _batch_get(item_keys, options)
    }


def claim(key: tuple[str, str], fields: Mapping[str, str]) -> bool:
    """Put the claim item `key` (with string `fields`) unless it exists; False when it did."""
    item: dict[str, Any] = {"PK": {"S": key[0]}, "SK": {"S": key[1]}}
    item.update({name: {"S": value} for name, value in fields.items()})
    try:
        _ddb().put_item(
            TableName=_table(), Item=item, ConditionExpression="attribute_not_exists(PK)"
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return False
        raise
    return True


def release(key: tuple[str, str]) -> None:
    """Delete a claim item (its counting failed, so the retry counts it)."""
    _ddb().delete_item(TableName=_table(), Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}})


def existing(item_keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the items exist (BatchGetItem of their keys only)."""
    rows = _batch_get(item_keys, {"ProjectionExpression": "PK, SK"})
    return {(item["PK"]["S"], item["SK"]["S"]) for item in rows}


def exists(key: tuple[str, str]) -> bool:
    """Whether the item exists (one projected GetItem)."""
    got = _ddb().get_item(
        TableName=_table(),
        Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
        ProjectionExpression="PK",
    )
    return "Item" in got


def add(
    key: tuple[str, str],
    *,
    responses: int = 0,
    conversions: int = 0,
    revenue: Mapping[str, Decimal] | None = None,
    now: str,
) -> None:
    """ADD to a counter item (created on the first ADD): responses, conversions and revenue
    per currency (exact decimals: DynamoDB numbers hold 38 significant digits)."""
    adds: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {":now": {"S": now}}
    for i, (name, amount) in enumerate(
        [("responses", Decimal(responses)), ("conversions", Decimal(conversions))]
        + [(keys.revenue_attribute(c), a) for c, a in (revenue or {}).items()]
    ):
        if amount:
            adds.append(f"#a{i} :v{i}")
            names[f"#a{i}"], values[f":v{i}"] = name, {"N": str(amount)}
    if not adds:
        return
    update = "ADD " + ", ".join(adds) + " SET updatedAt = :now"
    _ddb().update_item(
        TableName=_table(),
        Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
        UpdateExpression=update,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def _counts(item: Mapping[str, Any]) -> Counts:
    revenue: dict[str, Decimal] = {}
    for name, value in item.items():
        currency = keys.currency_of_attribute(name)
        if currency is not None and "N" in value:
            revenue[currency] = Decimal(value["N"])
    return Counts(
        responses=int(item.get("responses", {}).get("N", "0")),
        conversions=int(item.get("conversions", {}).get("N", "0")),
        revenue=revenue,
    )


def counts(item_keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Counts]:
    """The counter items that exist, by key (strongly consistent)."""
    return {
        (item["PK"]["S"], item["SK"]["S"]): _counts(item)
        for item in _batch_get(item_keys, {"ConsistentRead": True})
    }
