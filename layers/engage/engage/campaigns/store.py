"""Campaign storage: campaign items, receipt/click counter shards, daily statistics and the
audience snapshot (DESIGN.md section 2). The only module of the group, with `message_store`,
that talks to DynamoDB; services hold the logic.

Conditional writes return False when their condition failed (the caller decides what that
means: a Conflict, a cancelled campaign, a skipped step); other AWS errors propagate.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.expressions.condition import Condition

from engage.campaigns.models import CampaignItem, CounterItem, DailyStatItem
from engage.core import clock, keys
from engage.core.settings import get_settings

CCF = "ConditionalCheckFailedException"
SNAPSHOT_TTL = dt.timedelta(days=14)
PUT_WORKERS = 4  # concurrent BatchWriteItem requests of one batch_put


def _failed_condition(exc: PutError | UpdateError | DeleteError) -> bool:
    return exc.cause_response_code == CCF


# --- campaigns -------------------------------------------------------------------------------


def get_campaign(tenant_id: str, campaign_id: str, consistent: bool = True) -> CampaignItem | None:
    """The campaign item, or None (also for another tenant's id)."""
    try:
        return CampaignItem.get(
            keys.campaign_partition(tenant_id), campaign_id, consistent_read=consistent
        )
    except CampaignItem.DoesNotExist:
        return None


def campaign_status(tenant_id: str, campaign_id: str) -> str | None:
    """The campaign's status (one projected, consistent GetItem), or None when it is gone."""
    got = ddb_client().get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": keys.campaign_partition(tenant_id)}, "SK": {"S": campaign_id}},
        ProjectionExpression="#s",
        ExpressionAttributeNames={"#s": "status"},
        ConsistentRead=True,
    )
    item = got.get("Item")
    return item["status"]["S"] if item else None


def list_campaigns(tenant_id: str, status: str | None) -> list[CampaignItem]:
    """Every campaign of the tenant (one partition), optionally of one status."""
    condition = CampaignItem.status == status if status else None
    return list(CampaignItem.query(keys.campaign_partition(tenant_id), filter_condition=condition))


def put_campaign(item: CampaignItem) -> None:
    """Store a new campaign."""
    item.save()


def save_if_status(item: CampaignItem, statuses: Iterable[str]) -> bool:
    """Replace the stored campaign with `item` if its stored status is one of `statuses`."""
    try:
        item.save(condition=CampaignItem.status.is_in(*statuses))
    except PutError as exc:
        if _failed_condition(exc):
            return False
        raise
    return True


def delete_unless_sending(item: CampaignItem) -> bool:
    """Delete the campaign unless it is sending (False then)."""
    try:
        item.delete(condition=CampaignItem.status != "sending")
    except DeleteError as exc:
        if _failed_condition(exc):
            return False
        raise
    return True


def _update(item: CampaignItem, actions: list[Any], condition: Condition | None) -> bool:
    """One conditional UpdateItem; `item` is refreshed with the stored values on success."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _failed_condition(exc):
            return False
        raise
    return True


def set_fields(
    item: CampaignItem, fields: dict[str, Any], if_status: Iterable[str] | None = None
) -> bool:
    """SET attributes (by Python name) of the campaign, if its status is one of `if_status`."""
    actions = [getattr(CampaignItem, name).set(value) for name, value in fields.items()]
    condition = CampaignItem.status.is_in(*if_status) if if_status else None
    return _update(item, actions, condition)


def start_run(
    item: CampaignItem,
    *,
    run: int,
    recipients: int,
    credits: int,
    cutoff: str,
    snapshot_id: str,
    chunks: int,
    now: str,
    editable: Iterable[str],
) -> bool:
    """`draft | scheduled -> sending` for run `run` (False if it moved or another enqueue won)."""
    actions = [
        CampaignItem.status.set("sending"),
        CampaignItem.run.set(run),
        CampaignItem.recipient_count.add(recipients),
        CampaignItem.credits_debited.add(credits),
        CampaignItem.run_reserved.set(credits),
        CampaignItem.run_allocated.set(0),
        CampaignItem.dispatch_complete.set(False),
        CampaignItem.enqueue_cutoff.set(cutoff),
        CampaignItem.snapshot_id.set(snapshot_id),
        CampaignItem.snapshot_chunks.set(chunks),
        CampaignItem.enqueued_at.set(now),
        CampaignItem.updated_at.set(now),
    ]
    condition = CampaignItem.status.is_in(*editable) & (CampaignItem.run == run - 1)
    return _update(item, actions, condition)


def record_page(
    item: CampaignItem, queued: int, allocated: int, shares: dict[str, int] | None = None
) -> bool:
    """SET the run's running totals after a dispatch page (False: no longer sending);
    `shares`: the WhatsApp / e-mail part of `queued`, by attribute (`whatsapp_queued`...)."""
    actions = [CampaignItem.queued_count.set(queued), CampaignItem.run_allocated.set(allocated)]
    actions += [getattr(CampaignItem, name).set(n) for name, n in (shares or {}).items()]
    return _update(item, actions, CampaignItem.status == "sending")


def close_run(
    item: CampaignItem, queued: int, allocated: int, refund: int, extra: dict[str, Any]
) -> bool:
    """Mark the run's dispatch complete with its totals and the refund (once per run)."""
    actions: list[Any] = [
        CampaignItem.dispatch_complete.set(True),
        CampaignItem.queued_count.set(queued),
        CampaignItem.run_allocated.set(allocated),
        CampaignItem.run_reserved.set(allocated),
        CampaignItem.credits_refunded.add(refund),
    ]
    actions += [getattr(CampaignItem, k).set(v) for k, v in extra.items()]
    return _update(item, actions, CampaignItem.dispatch_complete == False)  # noqa: E712


def add_send_counts(
    item: CampaignItem,
    sent: int,
    failed: int,
    skipped: int,
    refund: int,
    shares: dict[str, int] | None = None,
) -> bool:
    """ADD a send batch's outcome to the campaign (False if it was deleted meanwhile); `item`
    is refreshed with the stored values, so completion can be decided without a read.
    `shares`: the WhatsApp / e-mail part of the counts, by attribute (`whatsapp_sent`...)."""
    actions = [
        CampaignItem.sent_count.add(sent),
        CampaignItem.failed_count.add(failed),
        CampaignItem.skipped_count.add(skipped),
        CampaignItem.credits_refunded.add(refund),
    ]
    actions += [getattr(CampaignItem, name).add(n) for name, n in (shares or {}).items()]
    return _update(item, actions, CampaignItem.pk.exists())


def complete(item: CampaignItem, final: str, now: str) -> bool:
    """`sending -> final` once dispatch is complete (False if someone else completed it)."""
    actions = [
        CampaignItem.status.set(final),
        CampaignItem.completed_at.set(now),
        CampaignItem.updated_at.set(now),
    ]
    condition = (CampaignItem.status == "sending") & (CampaignItem.dispatch_complete == True)  # noqa: E712
    return _update(item, actions, condition)


# --- counters and daily statistics -----------------------------------------------------------


def add_counters(tenant_id: str, campaign_id: str, shard: int, deltas: dict[str, int]) -> None:
    """ADD to one shard of a campaign's counters (delivered, undelivered, clicks)."""
    actions = [getattr(CounterItem, k).add(v) for k, v in deltas.items() if v]
    if actions:
        CounterItem(*keys.counter_key(tenant_id, campaign_id, shard)).update(actions=actions)


def counters(tenant_id: str, campaign_ids: list[str], shards: int) -> list[tuple[str, CounterItem]]:
    """Every counter shard of the campaigns that exists, as `(campaignId, item)` (BatchGet)."""
    wanted = [keys.counter_key(tenant_id, cid, s) for cid in campaign_ids for s in range(shards)]
    return [(keys.parse_counter_partition(i.pk)[1], i) for i in CounterItem.batch_get(wanted)]


def add_daily(tenant_id: str, shard: int, day: str, deltas: dict[str, int]) -> None:
    """ADD to one shard of the tenant's statistics of `day` (fields by Python name; one
    UpdateItem that returns nothing)."""
    names = {
        f"#a{i}": getattr(DailyStatItem, k).attr_name for i, k in enumerate(deltas) if deltas[k]
    }
    if not names:
        return
    values = {
        f":v{n[2:]}": {"N": str(deltas[k])}
        for n, k in zip(names, [k for k in deltas if deltas[k]], strict=True)
    }
    pk, sk = keys.daily_stats_key(tenant_id, shard, day)
    ddb_client().update_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        UpdateExpression="ADD " + ", ".join(f"{n} :v{n[2:]}" for n in names),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def daily(tenant_id: str, shard: int, first_day: str, last_day: str) -> list[DailyStatItem]:
    """One shard's daily items between two ISO dates inclusive."""
    pk = keys.daily_stats_key(tenant_id, shard, first_day)[0]
    return list(DailyStatItem.query(pk, DailyStatItem.sk.between(first_day, last_day)))


# --- audience snapshot -----------------------------------------------------------------------
# One item per RECIPIENTS_PER_MESSAGE recipients: `r` is the JSON text of a list of rows
# `[contactId, phoneE164, firstName, lastName, segments]` (one string attribute, about 10 KB,
# not a nested list: cheaper to write and read), written at enqueue; dispatch reads a page of
# them with one Query instead of resolving the audience again.


def put_snapshot(
    tenant_id: str, campaign_id: str, snapshot_id: str, chunks: list[list[list[Any]]]
) -> None:
    """Write the snapshot's chunks (BatchWriteItem, 25 per request; expires after 14 days)."""
    expires = str(int((clock.now() + SNAPSHOT_TTL).timestamp()))
    items = []
    for i, rows in enumerate(chunks):
        pk, sk = keys.audience_snapshot_key(tenant_id, campaign_id, snapshot_id, i)
        items.append(
            {
                "PK": {"S": pk},
                "SK": {"S": sk},
                "r": {"S": json.dumps(rows, separators=(",", ":"), ensure_ascii=False)},
                "expiresAt": {"N": expires},
            }
        )
    batch_put(items)


def read_snapshot(
    tenant_id: str, campaign_id: str, snapshot_id: str, first: int, count: int
) -> list[list[list[Any]]]:
    """Chunks `first .. first+count-1` of the snapshot, in order (one Query per 1 MB)."""
    pk, low = keys.audience_snapshot_key(tenant_id, campaign_id, snapshot_id, first)
    _, high = keys.audience_snapshot_key(tenant_id, campaign_id, snapshot_id, first + count - 1)
    out: list[list[list[Any]]] = []
    params: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":lo": {"S": low}, ":hi": {"S": high}},
        "ProjectionExpression": "r",
        "ConsistentRead": True,
    }
    while True:
        got = ddb_client().query(**params)
        out += [json.loads(item["r"]["S"]) for item in got["Items"]]
        if "LastEvaluatedKey" not in got:
            return out
        params["ExclusiveStartKey"] = got["LastEvaluatedKey"]


def opted_in_contacts(tenant_id: str, shard: int, before_id: str) -> list[list[Any]]:
    """`[contactId, phoneE164, firstName, lastName]` of one contact shard's opted-in contacts
    created before `before_id` (the audience "all" as `audiences.Resolver` defines it), read
    with a projection: the snapshot needs four attributes, not whole contact items."""
    params: dict[str, Any] = {
        "TableName": get_settings().table_name,
        "KeyConditionExpression": "PK = :pk AND SK < :before",
        "FilterExpression": "smsConsent = :in",
        "ProjectionExpression": "SK, phoneE164, firstName, lastName",
        "ExpressionAttributeValues": {
            ":pk": {"S": keys.contact_partition(tenant_id, shard)},
            ":before": {"S": before_id},
            ":in": {"S": "opted_in"},
        },
    }
    out: list[list[Any]] = []
    while True:
        got = ddb_client().query(**params)
        out += [
            [
                it["SK"]["S"],
                it["phoneE164"]["S"],
                it.get("firstName", {}).get("S"),
                it.get("lastName", {}).get("S"),
            ]
            for it in got["Items"]
        ]
        if "LastEvaluatedKey" not in got:
            return out
        params["ExclusiveStartKey"] = got["LastEvaluatedKey"]


# --- low-level helpers (plain dicts, no model instances) --------------------------------------


@cache
def ddb_client() -> Any:
    """A DynamoDB client for the requests this module builds itself, item by item in wire
    form: botocore's client-side parameter validation (a walk over every attribute value)
    is left to DynamoDB, which validates them anyway. Otherwise configured as `core.aws`: a
    botocore client (boto3's are the same objects; importing boto3 costs a cold start)."""
    settings = get_settings()
    return botocore.session.get_session().create_client(
        "dynamodb",
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=32,
            parameter_validation=False,
        ),
    )


def reset_client() -> None:
    """Forget the cached client (tests switch between moto mocks)."""
    ddb_client.cache_clear()


def batch_put(items: list[dict[str, Any]]) -> None:
    """PutRequest every item (DynamoDB wire form), 25 per BatchWriteItem, retrying what
    DynamoDB leaves unprocessed. More than one request's worth goes out on PUT_WORKERS threads
    (boto3 clients are thread-safe), so serialising one request overlaps sending another."""
    requests = [items[i : i + 25] for i in range(0, len(items), 25)]
    if len(requests) <= 1:
        for chunk in requests:
            _write(chunk)
        return
    with ThreadPoolExecutor(max_workers=min(PUT_WORKERS, len(requests))) as pool:
        list(pool.map(_write, requests))


def _write(chunk: list[dict[str, Any]]) -> None:
    table = get_settings().table_name
    ddb = ddb_client()
    pending = {table: [{"PutRequest": {"Item": it}} for it in chunk]}
    while pending:
        pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
