"""Sending a campaign: `POST /campaigns/{id}/enqueue` and the scheduler's firing (seed 004
"POST /campaigns/:id/enqueue"; seed 000 section 4).

Enqueue resolves the opted-in audience once and prices it (SMS segments of each rendered
message, links counted at their short-link length), debits that many credits in one
conditional update (402 and nothing queued when the balance is short), writes the priced
recipients as the run's audience snapshot, moves the campaign to `sending` and starts the
dispatch state machine. Dispatch reads the snapshot instead of resolving the audience again,
so recipients are frozen to the contacts that were opted in at enqueue time; consent is checked
again by the sender. Dispatch never spends more than was debited and refunds the rest.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from engage.audiences.service import Resolver, parse_audience
from engage.campaigns import ports, stats, store
from engage.campaigns.compose import compose_values, render_for
from engage.campaigns.models import CampaignItem
from engage.campaigns.service import EDITABLE, get_item
from engage.core import clock, ids
from engage.core.errors import Conflict, ValidationFailed
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.core.sms import segment_count
from engage.tenants import service as tenants

Row = list[Any]  # [contactId, phoneE164, firstName, lastName, segments]

SQS_BODY_BYTES = 256 * 1024
"""The most one send batch may weigh on the send queue. SQS takes 1 MiB per message since
2025 (the SendMessage API reference), but a queue created with the earlier default refuses
more than 256 KiB; this bound holds on both, and dispatch's SendMessageBatch groups bodies
under SQS's 1 MiB per request (campaigns/ports.py)."""

RECIPIENT_OVERHEAD_BYTES = 160
"""What a recipient weighs in a send batch besides its text: shard, contact id, E.164 number,
segments, link token and JSON punctuation (about 70 bytes, counted twice over)."""

BATCH_OVERHEAD_BYTES = 1024
"""A send batch's own fields (tenant, campaign, batch key, time zone, sender id, times)."""


class Resolved(NamedTuple):
    """A priced audience: `rows` (see `Row`), the `credits` of all of them, and `sizes`, the
    bytes each recipient adds to a send batch (its rendered text as JSON, plus
    RECIPIENT_OVERHEAD_BYTES)."""

    rows: list[Row]
    credits: int
    sizes: list[int]


def resolve(tenant_id: str, item: CampaignItem, cutoff: str) -> Resolved:
    """The opted-in recipients created before `cutoff`, each priced and weighed."""
    audience = parse_audience(item.audience)
    found: list[list[Any]]
    if audience.type == "all":  # every opted-in contact: four attributes, shard by shard
        shards = get_settings().contact_shards
        found = [r for s in range(shards) for r in store.opted_in_contacts(tenant_id, s, cutoff)]
        found.sort(key=lambda r: str(r[0]))
    else:
        found = [
            [c.sk, c.phone_e164, c.first_name, c.last_name]
            for c in Resolver(tenant_id, audience, opted_in_only=True, before_id=cutoff)
        ]
    rows: list[Row] = []
    sizes: list[int] = []
    credits = 0
    for contact_id, phone, first, last in found:
        text = render_for(item, compose_values(item, first, last), None)
        segments = segment_count(text)
        rows.append([contact_id, phone, first, last, segments])
        sizes.append(len(json.dumps(text, ensure_ascii=False).encode()) + RECIPIENT_OVERHEAD_BYTES)
        credits += segments
    return Resolved(rows, credits, sizes)


def price(tenant_id: str, item: CampaignItem, cutoff: str) -> tuple[int, int]:
    """(recipients, credits) of sending `item` now to its opted-in audience."""
    resolved = resolve(tenant_id, item, cutoff)
    return len(resolved.rows), resolved.credits


def chunk(rows: list[Row], sizes: list[int], per: int) -> list[list[Row]]:
    """`rows` in order, cut into chunks (one send batch each) of at most `per` recipients and
    at most SQS_BODY_BYTES once sent: a campaign of long or non-Latin texts is cut finer than
    `recipients_per_message`, so no send batch is ever refused by SQS for its size."""
    chunks: list[list[Row]] = []
    current: list[Row] = []
    weight = BATCH_OVERHEAD_BYTES
    for row, size in zip(rows, sizes, strict=True):
        if current and (len(current) >= per or weight + size > SQS_BODY_BYTES):
            chunks.append(current)
            current, weight = [], BATCH_OVERHEAD_BYTES
        current.append(row)
        weight += size
    if current:
        chunks.append(current)
    return chunks


def enqueue(tenant_id: str, campaign_id: str, source: str = "api") -> dict[str, Any]:
    """Debit credits and start dispatch; returns `{status, queuedRecipients, creditsDebited}`.

    Raises NotFound, Conflict (not draft/scheduled, or enqueued concurrently),
    ValidationFailed (no opted-in recipient) and InsufficientCredits (402).
    """
    item = get_item(tenant_id, campaign_id)
    if item.status not in EDITABLE:
        raise Conflict(f"A {item.status} campaign cannot be enqueued", {"status": item.status})
    cutoff = ids.id_floor(clock.now_ms() + 1)
    rows, credits, sizes = resolve(tenant_id, item, cutoff)
    if not rows:
        raise ValidationFailed(
            "The audience has no opted-in contacts", {"audience": "0 opted-in recipients"}
        )
    tenants.debit_credits(tenant_id, credits)
    chunks = chunk(rows, sizes, get_settings().recipients_per_message)
    snapshot_id = ids.new_id()
    run = int(item.run) + 1
    try:
        store.put_snapshot(tenant_id, campaign_id, snapshot_id, chunks)
        started = store.start_run(
            item,
            run=run,
            recipients=len(rows),
            credits=credits,
            cutoff=cutoff,
            snapshot_id=snapshot_id,
            chunks=len(chunks),
            now=clock.now_iso(),
            editable=EDITABLE,
        )
    except BaseException:
        tenants.refund_credits(tenant_id, credits)
        raise
    if not started:
        tenants.refund_credits(tenant_id, credits)
        raise Conflict("The campaign was enqueued concurrently")
    tz = tenants.get_settings_of(tenant_id).timezone
    stats.add_daily(tenant_id, stats.day_in(tz), credits_debited=credits)
    arn = ports.start_dispatch(
        f"{campaign_id}-r{run}", {"tenantId": tenant_id, "campaignId": campaign_id, "run": run}
    )
    store.set_fields(item, {"execution_arn": arn})
    logger.info(
        "campaign enqueued",
        extra={
            "campaign_id": campaign_id,
            "run": run,
            "recipients": len(rows),
            "credits": credits,
            "source": source,
        },
    )
    return {"status": "queued", "queuedRecipients": len(rows), "creditsDebited": credits}
