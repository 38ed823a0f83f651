"""Sending a campaign: `POST /campaigns/{id}/enqueue` and the scheduler's firing (seed 004
"POST /campaigns/:id/enqueue"; seed 000 section 4).

Enqueue resolves the opted-in audience once and prices it (SMS segments of each rendered
message, links counted at their short-link length), debits that many credits in one
conditional update (402 and nothing queued when the balance is short), writes the priced
recipients as the run's audience snapshot, moves the campaign to `sending` and starts the
dispatch state machine. Dispatch reads the snapshot instead of resolving the audience again,
so recipients are frozen to the contacts that were opted in at enqueue time; consent is checked
again by the sender. Dispatch never spends more than was debited and refunds the rest.

A campaign on several channels (issue 10, `channel_plan`) resolves, per recipient, the
channels they can be reached on and opted in to (with delivery `first_available` the first
is theirs and the rest its fallbacks, `channel_plan`), prices each message
(`channel_plan.credits_of`, held as `channel_plan.held_credits`) and snapshots
`[contactId, phone, firstName, lastName, credits, email, channels]`; a contact reachable on
none of the campaign's channels is not a recipient.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from engage.audiences.service import Resolver, parse_audience
from engage.campaigns import channel_store, ports, stats, store
from engage.campaigns.channel_plan import (
    EMAIL,
    SMS,
    WHATSAPP,
    ChannelPlan,
    credits_of,
    held_credits,
    plan_of,
    reachable,
)
from engage.campaigns.compose import compose_values, render_for
from engage.campaigns.dispatch import channel_batch
from engage.campaigns.models import CampaignItem
from engage.campaigns.service import EDITABLE, get_item
from engage.contacts.consent import ConsentChannel, consent_of
from engage.core import clock, ids
from engage.core.errors import Conflict, ValidationFailed
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.core.sms import segment_count
from engage.tenants import service as tenants

Row = list[Any]  # [contactId, phoneE164, firstName, lastName, segments] (or see resolve_channels)

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
    plan = plan_of(item)
    if not plan.sms_only:
        return resolve_channels(tenant_id, item, plan, cutoff)
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


def _reachable_rows(
    tenant_id: str, item: CampaignItem, plan: ChannelPlan, cutoff: str
) -> list[list[Any]]:
    """`[contactId, phone, first, last, email, {channel: consent}]` of the audience's contacts
    created before `cutoff` that opted in to one of the campaign's channels."""
    audience = parse_audience(item.audience)
    if audience.type == "all":
        shards = get_settings().contact_shards
        found = [
            r
            for s in range(shards)
            for r in channel_store.reachable_contacts(tenant_id, s, cutoff, plan.channels)
        ]
        found.sort(key=lambda r: str(r[0]))
        return found
    return [
        [
            c.sk,
            c.phone_e164 or None,
            c.first_name,
            c.last_name,
            c.email or None,
            {ch: consent_of(c, ConsentChannel(ch)) for ch in plan.channels},
        ]
        for c in Resolver(tenant_id, audience, opted_in_only=False, before_id=cutoff)
    ]


def resolve_channels(
    tenant_id: str, item: CampaignItem, plan: ChannelPlan, cutoff: str
) -> Resolved:
    """`resolve` for a campaign on several channels (see the module docstring)."""
    rows: list[Row] = []
    sizes: list[int] = []
    credits = 0
    subject_bytes = len(str(plan.settings.get(EMAIL, {}).get("subject", "")).encode()) + 64
    variables = plan.settings.get(WHATSAPP, {}).get("variables") or {}
    variable_bytes = len(json.dumps(variables, ensure_ascii=False).encode())
    for contact_id, phone, first, last, email, consents in _reachable_rows(
        tenant_id, item, plan, cutoff
    ):
        channels = reachable(plan, phone, email, consents)
        if not channels:
            continue
        text = render_for(item, compose_values(item, first, last), None)
        text_bytes = len(json.dumps(text, ensure_ascii=False).encode())
        size = 0
        costs = [credits_of(c, segment_count(text) if c == SMS else 0) for c in channels]
        cost = held_credits(plan, costs)
        for channel in channels:
            size += (
                RECIPIENT_OVERHEAD_BYTES
                + {
                    SMS: text_bytes,
                    WHATSAPP: text_bytes + variable_bytes,
                    EMAIL: subject_bytes,
                }[channel]
            )
        rows.append([contact_id, phone, first, last, cost, email, channels])
        sizes.append(size)
        credits += cost
    return Resolved(rows, credits, sizes)


def batch_overhead(item: CampaignItem) -> int:
    """What a send batch weighs besides its recipients: its own fields and, for a campaign on
    several channels, the channels' settings it carries once (the e-mail's HTML)."""
    plan = plan_of(item)
    if plan.sms_only:
        return BATCH_OVERHEAD_BYTES
    ch = channel_batch(item, plan, set(plan.channels))
    return BATCH_OVERHEAD_BYTES + len(json.dumps(ch, ensure_ascii=False).encode())


def price(tenant_id: str, item: CampaignItem, cutoff: str) -> tuple[int, int]:
    """(recipients, credits) of sending `item` now to its opted-in audience."""
    resolved = resolve(tenant_id, item, cutoff)
    return len(resolved.rows), resolved.credits


def chunk(
    rows: list[Row], sizes: list[int], per: int, overhead: int = BATCH_OVERHEAD_BYTES
) -> list[list[Row]]:
    """`rows` in order, cut into chunks (one send batch each) of at most `per` recipients and
    at most SQS_BODY_BYTES once sent (`overhead`: the batch's own weight): a campaign of long
    or non-Latin texts is cut finer than `recipients_per_message`, so no send batch is ever
    refused by SQS for its size."""
    chunks: list[list[Row]] = []
    current: list[Row] = []
    weight = overhead
    for row, size in zip(rows, sizes, strict=True):
        if current and (len(current) >= per or weight + size > SQS_BODY_BYTES):
            chunks.append(current)
            current, weight = [], overhead
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
    chunks = chunk(rows, sizes, get_settings().recipients_per_message, batch_overhead(item))
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
