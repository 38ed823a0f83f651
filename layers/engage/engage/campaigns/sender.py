"""The sender: one SQS message = up to RECIPIENTS_PER_MESSAGE recipients of one campaign run.

Exactly once per recipient, even when SQS delivers the message again:
1. claim the message's send batch (`queued -> claimed`, one conditional update): a second or
   concurrent delivery finds it claimed and sends nothing. A claim older than CLAIM_LEASE
   belongs to an invocation that died (timed out); the next delivery takes it over and resumes;
2. re-check consent as it is now: one Query of the tenant's consent log since the page was
   resolved (minus a minute for clock skew) names every contact that opted out, was deleted or
   changed number since; those, and every recipient of a cancelled campaign, are skipped;
3. hand each message (its text travels in the SQS body) to the provider adapter once;
4. write the outcomes (`sent` / `failed` / `skipped`) with BatchWriteItem after every 25
   recipients (so a takeover knows where the dead holder stopped), refund the credits
   of everything not sent, add the campaign, tenant and daily counters with one ADD each, and
   complete the campaign when it is settled. Simulated sandbox receipts go to the receipts queue
   like a provider's webhook would.
If an invocation dies mid-batch, the recipients of the chunk it was sending when it died may or
may not have been handed to the provider: they are marked failed (delivery unknown) and
refunded, never sent twice; the rest of the batch is sent by the takeover.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pynamodb.exceptions import UpdateError

from engage.campaigns import stats
from engage.campaigns.models import CampaignItem, MessageItem, SendBatchItem
from engage.campaigns.receipts import queue_receipts
from engage.campaigns.settle import maybe_complete
from engage.channels.base import OutboundSms
from engage.channels.registry import sms_adapter
from engage.contacts import store as contacts
from engage.core import clock, keys
from engage.core.observability import logger, metrics
from engage.tenants import service as tenants

NOTHING = {"sent": 0, "failed": 0, "skipped": 0}
SEND_CHUNK = 25  # outcomes are written after every chunk (one BatchWriteItem)
CLAIM_LEASE = dt.timedelta(seconds=120)  # longer than the sender's Lambda timeout (60 s)
CLOCK_MARGIN = dt.timedelta(seconds=60)  # consent-log entries this much older still count


def _claim(tenant_id: str, campaign_id: str, batch_sk: str) -> str | None:
    """Claim a send batch: `"fresh"`, `"takeover"` (the previous holder's lease ran out, so it
    died: a Lambda cannot outlive CLAIM_LEASE), or None when someone holds it or it is done."""
    batch = SendBatchItem(keys.send_batch_partition(tenant_id, campaign_id), batch_sk)
    now = clock.now()
    attempts: list[tuple[str, Any]] = [
        ("fresh", SendBatchItem.status == "queued"),
        (
            "takeover",
            (SendBatchItem.status == "claimed")
            & (SendBatchItem.claimed_at < clock.iso(now - CLAIM_LEASE)),
        ),
    ]
    for kind, condition in attempts:
        try:
            batch.update(
                actions=[
                    SendBatchItem.status.set("claimed"),
                    SendBatchItem.claimed_at.set(clock.iso(now)),
                ],
                condition=condition,
            )
            return kind
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    return None


def _resume(
    messages: list[MessageItem],
) -> tuple[list[MessageItem], set[str], dict[str, int], int]:
    """After a takeover: the messages still to handle, the keys whose fate is unknown, and the
    counts and refund of what the dead holder recorded (it died before accounting for them:
    a batch whose accounting ran is `done` and cannot be taken over).

    Outcomes are written chunk by chunk, in order, so only the first chunk that still has
    `queued` messages can hold messages the dead holder handed to the provider without
    recording them. Those are not sent again (at most once); the rest are sent normally.
    """
    stored = {m.pk + m.sk: m for m in MessageItem.batch_get([(m.pk, m.sk) for m in messages])}
    status = {k: m.status for k, m in stored.items()}
    pending = [m for m in messages if status.get(m.pk + m.sk, "queued") == "queued"]
    counts = dict(NOTHING)
    refund = 0
    for m in stored.values():
        if m.status in counts:
            counts[m.status] += 1
            refund += int(m.segments) if m.status != "sent" else 0
    unknown: set[str] = set()
    for i in range(0, len(messages), SEND_CHUNK):
        chunk = [m.pk + m.sk for m in messages[i : i + SEND_CHUNK]]
        if any(status.get(k, "queued") == "queued" for k in chunk):
            unknown = {k for k in chunk if status.get(k, "queued") == "queued"}
            break
    return pending, unknown, counts, refund


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
    tenant_id, campaign_id = body["t"], body["c"]
    claim = _claim(tenant_id, campaign_id, body["b"])
    if claim is None:
        logger.info("batch already claimed; nothing to do", extra={"batch": body["b"]})
        return dict(NOTHING)
    messages = [_message(body, row) for row in body["m"]]
    unknown: set[str] = set()
    counts, refund = dict(NOTHING), 0
    if claim == "takeover":
        messages, unknown, counts, refund = _resume(messages)
        logger.warning(
            "took over a send batch", extra={"batch": body["b"], "unknown": len(unknown)}
        )
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
    done: list[MessageItem] = []
    for m in messages:
        error: str | None
        if m.pk + m.sk in unknown:
            status, error = "failed", "sender stopped while sending; delivery unknown"
        elif cancelled:
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
        done.append(m)
        if len(done) == SEND_CHUNK:
            _record(done)
    _record(done)
    _account(tenant_id, campaign, body.get("tz") or "UTC", counts, refund)
    SendBatchItem(keys.send_batch_partition(tenant_id, campaign_id), body["b"]).update(
        actions=[SendBatchItem.status.set("done")]
    )
    queue_receipts(adapter.flush())
    metrics.add_metric(name="SmsSent", unit="Count", value=counts["sent"])
    logger.info("batch sent", extra={"campaign_id": campaign_id, **counts})
    return counts


def _record(done: list[MessageItem]) -> None:
    """Write the outcomes handled so far (BatchWriteItem) and forget them."""
    with MessageItem.batch_write() as batch:
        for m in done:
            batch.save(m)
    done.clear()


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


def process_record_body(raw: str) -> dict[str, int]:
    """Entry point for one SQS record body (JSON written by dispatch)."""
    return process(json.loads(raw))
