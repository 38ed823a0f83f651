"""The sender: one SQS message = up to RECIPIENTS_PER_MESSAGE recipients of one campaign run.

Exactly once per recipient, even when SQS delivers the message again:
1. claim the message's send batch (`queued -> claimed`, one conditional update): a second or
   concurrent delivery finds it claimed and sends nothing;
2. re-check consent as it is now: one Query of the tenant's consent log since the page was
   resolved (minus a minute for clock skew) names every contact that opted out, was deleted or
   changed number since; those, and every recipient of a cancelled campaign, are skipped;
3. hand each message (its text travels in the SQS body) to the provider adapter once;
4. write the outcomes (`sent` / `failed` / `skipped`) with BatchWriteItem, refund the credits
   of everything not sent, add the campaign, tenant and daily counters with one ADD each, and
   complete the campaign when it is settled. Simulated sandbox receipts go to the receipts queue
   like a provider's webhook would.
If an invocation dies after its claim, the unsent rest of that batch stays `queued` and is never
sent twice (at most once); README "Not built yet" names the reaper that will fail and refund it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pynamodb.exceptions import UpdateError

from engage.campaigns import stats
from engage.campaigns.models import CampaignItem, MessageItem, SendBatchItem
from engage.campaigns.settle import maybe_complete
from engage.channels.base import OutboundSms, Receipt
from engage.channels.registry import sms_adapter
from engage.contacts import store as contacts
from engage.core import clock, keys
from engage.core.aws import client
from engage.core.db import bind_models
from engage.core.observability import logger, metrics
from engage.core.settings import get_settings
from engage.tenants import service as tenants

NOTHING = {"sent": 0, "failed": 0, "skipped": 0}
CLOCK_MARGIN = dt.timedelta(seconds=60)  # consent-log entries this much older still count


def _claim(tenant_id: str, campaign_id: str, batch_sk: str) -> bool:
    try:
        SendBatchItem(keys.send_batch_partition(tenant_id, campaign_id), batch_sk).update(
            actions=[
                SendBatchItem.status.set("claimed"),
                SendBatchItem.claimed_at.set(clock.now_iso()),
            ],
            condition=SendBatchItem.status == "queued",
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _message(body: dict[str, Any], row: list[Any]) -> MessageItem:
    """Rebuild a recipient's message item from the SQS body written by dispatch."""
    shard, contact_id, phone, text, segments, token = row
    msg = MessageItem(
        *keys.message_key(body["t"], body["c"], int(shard), int(body["r"]), contact_id),
        contact_id=contact_id,
        phone=phone,
        body=text,
        segments=int(segments),
        status="queued",
        token=token,
        created_at=body.get("created") or body["at"],
    )
    if token:
        msg.gsi1pk, msg.gsi1sk = keys.link_index_pk(token), "LINK"
    return msg


def process(body: dict[str, Any]) -> dict[str, int]:
    """Send one SQS message's recipients; returns counts `{sent, failed, skipped}`."""
    bind_models()
    tenant_id, campaign_id = body["t"], body["c"]
    if not _claim(tenant_id, campaign_id, body["b"]):
        logger.info("batch already claimed; nothing to do", extra={"batch": body["b"]})
        return dict(NOTHING)
    try:
        campaign: CampaignItem | None = CampaignItem.get(
            keys.campaign_partition(tenant_id), campaign_id
        )
    except CampaignItem.DoesNotExist:
        campaign = None
    cancelled = campaign is None or campaign.status == "cancelled"
    since = clock.iso(dt.datetime.fromisoformat(body["at"].replace("Z", "+00:00")) - CLOCK_MARGIN)
    unsendable = set() if cancelled else contacts.unsendable_since(tenant_id, since)
    adapter = sms_adapter()
    counts = dict(NOTHING)
    refund = 0
    messages = [_message(body, row) for row in body["m"]]
    for m in messages:
        error: str | None
        if cancelled:
            status, error = "skipped", "campaign cancelled"
        elif m.contact_id in unsendable:
            status, error = "skipped", "opted out, deleted or changed number after dispatch"
        else:
            ref = f"{tenant_id}|{m.pk}|{m.sk}"
            result = adapter.send(OutboundSms(m.phone, m.body, body.get("from"), ref))
            status, error = result.status, result.error
            m.provider = adapter.name
            m.provider_message_id = result.provider_message_id
            if status == "sent" and result.provider_message_id:
                m.gsi2pk = keys.provider_index_pk(adapter.name, result.provider_message_id)
                m.gsi2sk = "MSG"
        m.status, m.error, m.updated_at = status, error, clock.now_iso()
        counts[status] += 1
        if status != "sent":
            refund += int(m.segments)
    with MessageItem.batch_write() as batch:
        for m in messages:
            batch.save(m)
    _account(tenant_id, campaign, body.get("tz") or "UTC", counts, refund)
    _forward_receipts(adapter.flush())
    metrics.add_metric(name="SmsSent", unit="Count", value=counts["sent"])
    logger.info("batch sent", extra={"campaign_id": campaign_id, **counts})
    return counts


def _account(
    tenant_id: str, campaign: CampaignItem | None, tz: str, counts: dict[str, int], refund: int
) -> None:
    tenants.add_counters(tenant_id, messages_sent=counts["sent"], credits=refund)
    stats.add_daily(
        tenant_id,
        stats.day_in(tz),
        sent=counts["sent"],
        failed=counts["failed"],
        credits_debited=-refund,
    )
    if campaign is None:
        return
    try:
        campaign.update(
            actions=[
                CampaignItem.sent_count.add(counts["sent"]),
                CampaignItem.failed_count.add(counts["failed"]),
                CampaignItem.skipped_count.add(counts["skipped"]),
                CampaignItem.credits_refunded.add(refund),
            ],
            condition=CampaignItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return  # the campaign was deleted after it was cancelled
        raise
    maybe_complete(campaign)


def _forward_receipts(receipts: list[Receipt]) -> None:
    """Queue simulated receipts, as a provider's status webhook would."""
    if not receipts:
        return
    send_receipts([r.__dict__ for r in receipts])


def send_receipts(receipts: list[dict[str, Any]]) -> None:
    """Put receipts on the receipts queue, up to 100 per SQS message."""
    sqs = client("sqs")
    url = get_settings().receipts_queue_url
    bodies = [
        json.dumps({"receipts": receipts[i : i + 100]}, separators=(",", ":"))
        for i in range(0, len(receipts), 100)
    ]
    for i in range(0, len(bodies), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i : i + 10])],
        )


def process_record_body(raw: str) -> dict[str, int]:
    """Entry point for one SQS record body (JSON written by dispatch)."""
    return process(json.loads(raw))
