"""Delivery receipts: `sent -> delivered | undelivered`, once per message, in any order;
WhatsApp's `read` moves `sent | delivered -> read` (a `delivered` after it changes nothing).

Receipts reach here through the receipts queue (from the status webhook, or simulated by the
sandbox). A receipt finds its message by our reference (when the provider echoes it) or by the
provider message id (GSI2). The move is a conditional update from `sent`, so a repeated or a
late receipt changes nothing; intermediate provider states (queued, sent, sending) are ignored.
A receipt that overtakes the sender's own write of `sent` raises NotYetSent so the queue
delivers it again shortly. Counters are aggregated per campaign and per day, one ADD each;
a WhatsApp or e-mail receipt (issue 10) also counts in that channel's share.
"""

from __future__ import annotations

import json
from collections import Counter

from engage.campaigns import message_store, ports, stats
from engage.channels.base import Receipt
from engage.core import clock, keys
from engage.core.observability import logger
from engage.tenants import service as tenants

FINAL = {
    "delivered": "delivered",
    "undelivered": "undelivered",
    "failed": "undelivered",
    "read": "read",  # WhatsApp: after delivered, or in its place (counted as delivered then)
}


def queue_receipts(receipts: list[Receipt]) -> None:
    """Put receipts on RECEIPTS_QUEUE_URL, up to 100 per SQS message and 10 messages per
    SendMessageBatch; the receipts worker applies them with `apply_receipts`."""
    if not receipts:
        return
    rows = [vars(r).copy() for r in receipts]  # flat dataclasses: asdict deep-copies
    ports.send_receipts(
        [
            json.dumps({"receipts": rows[i : i + 100]}, separators=(",", ":"))
            for i in range(0, len(rows), 100)
        ]
    )


class NotYetSent(Exception):
    """A receipt arrived before the sender recorded the message as sent: retry later."""


def _key(receipt: Receipt) -> tuple[str, str] | None:
    """The message key: from our reference, else from the provider id index (GSI2)."""
    if receipt.ref and receipt.ref.count("|") == 2:
        _, pk, sk = receipt.ref.split("|")
        return pk, sk
    return message_store.find_by_provider_id(receipt.provider, receipt.provider_message_id)


def apply_receipts(receipts: list[Receipt]) -> dict[str, int]:
    """Apply receipts; returns `{applied, ignored, unknown}`. Raises NotYetSent (after
    applying the others) when some messages are still being sent."""
    outcome: Counter[str] = Counter()
    per_campaign: dict[tuple[str, str], Counter[str]] = {}
    pending: list[Receipt] = []
    for receipt in receipts:
        status = FINAL.get(receipt.status)
        if status is None:
            outcome["ignored"] += 1
            continue
        key = _key(receipt)
        if key is None:
            outcome["unknown"] += 1
            logger.warning("receipt for an unknown message", extra={"provider": receipt.provider})
            continue
        error = receipt.error[:300] if receipt.error else None
        if status == "read":
            before = message_store.settle_read(key, receipt.provider_message_id, clock.now_iso())
            settled = before is not None
            status = "delivered" if before == "sent" else "read"  # what the counters gain
        else:
            settled = message_store.settle_message(
                key, status, receipt.provider_message_id, error, clock.now_iso()
            )
        if not settled:
            current = message_store.message_status(key)  # only on this rare path: why?
            if current is None:
                outcome["unknown"] += 1
            elif current == "queued":
                pending.append(receipt)
            else:
                outcome["ignored"] += 1
            continue
        outcome["applied"] += 1
        tenant_id, campaign_id, _ = keys.parse_message_partition(key[0])
        counts = per_campaign.setdefault((tenant_id, campaign_id), Counter())
        counts[status] += 1
        channel = keys.channel_of_message_sk(key[1])
        if channel != "sms":  # the WhatsApp / e-mail share (stats.COUNTER_FIELDS)
            counts[f"{channel}_{status}"] += 1
    for (tenant_id, campaign_id), counts in per_campaign.items():
        counters = {k: n for k, n in counts.items() if k in stats.COUNTER_FIELDS}  # not `read`
        stats.add_campaign_counts(tenant_id, campaign_id, **counters)
        tz = tenants.get_settings_of(tenant_id).timezone
        stats.add_daily(
            tenant_id, stats.day_in(tz), delivered=counts["delivered"], failed=counts["undelivered"]
        )
    if any(r.provider == "sandbox" for r in receipts):
        from engage.channels.sandbox import OUTBOX

        for r in receipts:
            OUTBOX.set_status(r.provider_message_id, r.status)
    if pending:
        raise NotYetSent(f"{len(pending)} receipts arrived before their messages were sent")
    return {
        "applied": outcome["applied"],
        "ignored": outcome["ignored"],
        "unknown": outcome["unknown"],
    }
