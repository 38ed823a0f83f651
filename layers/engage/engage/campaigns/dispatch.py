"""The campaign-dispatch state machine's tasks (statemachines/campaign_dispatch.asl.json).

`prepare` checks the campaign; `resolve_page` takes one page of the audience snapshot written
at enqueue (DISPATCH_PAGE_SIZE recipients, one Query), writes one message item per recipient
and queues them; `finalize` refunds what was not allocated and completes the campaign when every
message is settled; `fail` marks a campaign whose dispatch broke. Each task is safe to retry
with the same input:

* the state carries the page number and the running totals (`queued`, `allocated`), and the
  campaign's counters are SET to those totals, never ADDed, so a retried page counts once;
* a page writes its send-batch claim items first; the first one marks the page as started.
  Only when it is there already (a retry) are the existing claim items looked up and kept (a
  batch a sender has claimed is never put back to `queued`), so the usual path reads nothing
  back. Dispatch writes no message item: the sender writes each one once, with its outcome
  (a recipient whose batch is not yet sent has no item; a takeover reads a missing item as
  not yet handled). A retried page renders its messages again (new short-link tokens); only
  the copy of a batch that a sender claims first is sent, and its item records what was sent;
* each snapshot chunk (RECIPIENTS_PER_MESSAGE recipients) becomes one SQS message carrying the
  recipients' text, so the sender reads no message item, with a claim item the sender takes
  once; they are sent 10 per SendMessageBatch.

Campaigns on several channels (issue 10): a snapshot row names the recipient's channels, and
each becomes one message of the chunk's SQS message (several channels in one SQS message; the
e-mail HTML and WhatsApp template travel once per SQS message). Quiet hours hold SMS and
WhatsApp, never e-mail: a page reached during quiet hours switches the run to part 1, which
sends only the e-mails of that page and every later one; part 2 then goes back to that page
and, once quiet hours are over, sends the SMS and WhatsApp messages that were held. Each part
of a page has its own claim items (`keys.send_batch_part_sk`). With delivery
`first_available`, a recipient's fallback channels travel with their message
(`events.FallbackSendRow`): during quiet hours the e-mail goes in part 1 instead of a held SMS
or WhatsApp message, and the sender falls back from a capped channel (sender.py).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from engage.campaigns import message_store, ports, store
from engage.campaigns.channel_plan import (
    DELIVERY_FIRST,
    EMAIL,
    QUIET_CHANNELS,
    SMS,
    WHATSAPP,
    ChannelPlan,
    credits_of,
    plan_of,
)
from engage.campaigns.compose import TOKEN_LENGTH, compose_values, render_for
from engage.campaigns.message_store import Message
from engage.campaigns.models import CampaignItem
from engage.campaigns.quiet_hours import quiet_until
from engage.campaigns.service import get_item
from engage.campaigns.settle import maybe_complete
from engage.core import clock, ids, keys
from engage.core.render import render
from engage.core.settings import get_settings
from engage.core.sms import segment_count
from engage.tenants import service as tenants


class DispatchState(BaseModel):
    """The state machine's state, the input and output of every task."""

    model_config = ConfigDict(extra="ignore")

    tenantId: str
    campaignId: str
    run: int
    page: int = 0
    queued: int = 0
    allocated: int = 0
    done: bool = False
    waitUntil: str | None = None
    part: int = 0  # 0: every channel; 1: e-mails during quiet hours; 2: the held SMS/WhatsApp
    heldFrom: int = -1  # the first page whose SMS/WhatsApp part 2 sends (-1: none held)
    queuedBy: dict[str, int] = {}  # the WhatsApp / e-mail share of `queued`


class DispatchError(BaseModel):
    """What a Catch puts in `$.error` (Step Functions error output)."""

    Error: str = "States.TaskFailed"
    Cause: str = "dispatch failed"


class DispatchFailure(DispatchState):
    """Input of `fail`: the state plus the caught error."""

    error: DispatchError | None = None


def _state(state: DispatchState, **changes: Any) -> dict[str, Any]:
    out = state.model_copy(update={"done": False, "waitUntil": None, **changes}).model_dump()
    out["cursor"] = None  # pages are numbered now; kept for callers that read it
    return out


def prepare(state: DispatchState) -> dict[str, Any]:
    """First state: stop at once if the campaign is no longer sending this run."""
    item = get_item(state.tenantId, state.campaignId)
    if item.status != "sending" or int(item.run) != state.run:
        return _state(state, done=True)
    return _state(state, page=0, queued=0, allocated=0, part=0, heldFrom=-1, queuedBy={})


def _part_channels(plan: ChannelPlan, part: int) -> frozenset[str]:
    """The channels a part sends (see the module docstring)."""
    if part == 1:
        return frozenset({EMAIL})
    if part == 2:
        return frozenset(plan.channels) & QUIET_CHANNELS
    return frozenset(plan.channels)


def resolve_page(state: DispatchState) -> dict[str, Any]:
    """Write and queue one page of the snapshot; returns the next state."""
    settings = get_settings()
    tenant_id, campaign_id, run, page_no = state.tenantId, state.campaignId, state.run, state.page
    item = get_item(tenant_id, campaign_id)
    if item.status != "sending" or int(item.run) != run:
        return _state(state, done=True)
    tenant_settings = tenants.get_settings_of(tenant_id)
    plan = plan_of(item)
    part, held_from = state.part, state.heldFrom
    resume = quiet_until(tenant_settings, clock.now())
    if resume is not None and part != 1 and QUIET_CHANNELS & set(plan.channels):
        if part == 0 and plan.parts():
            part, held_from = 1, page_no  # e-mails now, SMS and WhatsApp after quiet hours
        else:
            return _state(state, waitUntil=clock.iso(resume))
    resolved_at = clock.now_iso()
    per_page = max(settings.dispatch_page_size // settings.recipients_per_message, 1)
    first, total = page_no * per_page, int(item.snapshot_chunks or 0)
    count = max(min(per_page, total - first), 0)
    chunks = (
        store.read_snapshot(tenant_id, campaign_id, item.snapshot_id or "", first, count)
        if count
        else []
    )
    claims = [keys.send_batch_key(tenant_id, campaign_id, run, page_no, i) for i in range(count)]
    claims = [(pk, keys.send_batch_part_sk(sk, part)) for pk, sk in claims]
    retried = bool(claims) and bool(message_store.claims_that_exist(claims[:1]))
    budget = int(item.run_reserved) - state.allocated
    wanted = _part_channels(plan, part)
    batches, budget = _messages(item, plan, tenant_id, chunks, budget, resolved_at, wanted)
    have = message_store.claims_that_exist(claims) if retried else set()
    message_store.put_claims(
        [
            (key, sum(not m.fallback for m in msgs))
            for key, msgs in zip(claims, batches, strict=True)
            if key not in have
        ]
    )
    ports.send_batches(
        [
            _body(key[1], item, plan, resolved_at, tenant_settings, msgs)
            for key, msgs in zip(claims, batches, strict=True)
            if msgs
        ]
    )
    queued = state.queued + sum(1 for msgs in batches for m in msgs if not m.fallback)
    allocated = state.allocated + sum(
        m.segments for msgs in batches for m in msgs if not m.fallback
    )
    queued_by = _queued_by(plan, state.queuedBy, batches)
    totals = {"queued": queued, "allocated": allocated, "queuedBy": queued_by}
    if not store.record_page(item, queued, allocated, queued_by):
        return _state(state, done=True, **totals)  # cancelled
    last = first + count >= total
    if last and part == 1 and held_from >= 0:  # the e-mails are out: now the held rest
        return _state(state, page=held_from, part=2, heldFrom=held_from, **totals)
    return _state(state, done=last, page=page_no + 1, part=part, heldFrom=held_from, **totals)


def _queued_by(
    plan: ChannelPlan, before: dict[str, int], batches: list[list[Message]]
) -> dict[str, int]:
    """The running WhatsApp / e-mail shares of `queued` (by campaign attribute), {} for an
    SMS-only campaign."""
    if plan.sms_only:
        return {}
    out = {f"{WHATSAPP}_queued": 0, f"{EMAIL}_queued": 0, **before}
    for msgs in batches:
        for m in msgs:
            if m.channel != SMS and not m.fallback:
                out[f"{m.channel}_queued"] += 1
    return out


def _messages(
    item: CampaignItem,
    plan: ChannelPlan,
    tenant_id: str,
    chunks: list[list[list[Any]]],
    budget: int,
    now: str,
    wanted: frozenset[str],
) -> tuple[list[list[Message]], int]:
    """Each chunk's messages on the `wanted` channels, rendered. A message that would
    overspend the credits reserved at enqueue is left out.

    A snapshot row is `[contactId, phone, firstName, lastName, segments]` (SMS only) or
    `[contactId, phone, firstName, lastName, credits, email, channels]` (enqueue.resolve).
    With delivery `first_available` a recipient has one message, on the first of their
    channels this part sends (in part 1, during quiet hours, that is the e-mail; part 2 leaves
    out whoever got it), holding the row's credits, followed by the later channels' messages
    as fallbacks (`Message.fallback`: not queued, no credits held)."""
    shards, run = get_settings().message_shards, int(item.run)
    campaign_id = item.sk
    first_available = plan.delivery == DELIVERY_FIRST and not plan.sms_only
    out: list[list[Message]] = []
    for rows in chunks:
        batch: list[Message] = []
        for row in rows:
            contact_id, phone, first_name, last_name = row[0], row[1], row[2], row[3]
            email, channels = (row[5], row[6]) if len(row) > 5 else (None, [SMS])
            if first_available and EMAIL in channels and EMAIL not in wanted:
                continue  # part 2: the e-mail went during quiet hours instead
            pk, sk = keys.message_key(
                tenant_id, campaign_id, ids.shard_of(contact_id, shards), run, contact_id
            )
            values = compose_values(item, first_name, last_name)
            msgs: list[Message] = []
            for channel in channels:
                if channel not in wanted:
                    continue
                token = ids.token(TOKEN_LENGTH) if item.links else None
                msg = _message(item, plan, channel, (pk, sk), contact_id, phone, email, values)
                msg.token, msg.created_at = token, now
                if channel != EMAIL:
                    msg.body = render_for(item, values, token)
                    msg.segments = credits_of(channel, segment_count(msg.body))
                msgs.append(msg)
            if first_available and msgs:  # one message; the later channels are fallbacks
                head = msgs[0]
                head.segments = max([int(row[4])] + [m.segments for m in msgs])  # held
                for m in msgs[1:]:
                    m.fallback = True
                if head.segments > budget:
                    continue
                budget -= head.segments
                batch += msgs
                continue
            for msg in msgs:
                if msg.segments > budget:
                    continue  # never spend more than was debited
                budget -= msg.segments
                batch.append(msg)
        out.append(batch)
    return out, budget


def _message(
    item: CampaignItem,
    plan: ChannelPlan,
    channel: str,
    key: tuple[str, str],
    contact_id: str,
    phone: str,
    email: str | None,
    values: dict[str, str | None],
) -> Message:
    """One recipient's message on `channel`, before its text and token are set (an e-mail's
    `body` is its subject; its HTML is rendered by the sender from the batch's settings)."""
    pk, sk = key[0], keys.channel_message_sk(key[1], channel)
    if channel == EMAIL:
        subject = render(str(plan.settings[EMAIL]["subject"]), values)
        msg = Message(pk, sk, contact_id, email or "", subject, credits_of(EMAIL, 0), None, "")
        msg.values = values
    else:
        msg = Message(pk, sk, contact_id, phone, "", 0, None, "")
        if channel == WHATSAPP:
            variables = plan.settings[WHATSAPP].get("variables") or {}
            msg.values = {name: render(str(v), values) for name, v in variables.items()}
    msg.channel = channel
    return msg


def _body(
    batch_sk: str,
    item: CampaignItem,
    plan: ChannelPlan,
    resolved_at: str,
    tenant_settings: Any,
    msgs: list[Message],
) -> str:
    """One SQS message: what the sender needs to send and record its recipients (an SMS-only
    campaign's rows as they always were; `events.ChannelSendRow`s and `ch` otherwise)."""
    shards = get_settings().message_shards
    body: dict[str, Any] = {
        "t": keys.parse_campaign_partition(item.pk),
        "c": item.sk,
        "r": int(item.run),
        "b": batch_sk,
        "tz": tenant_settings.timezone,
        "from": tenant_settings.senderId or None,
        "at": resolved_at,
        "created": msgs[0].created_at,
    }
    if plan.sms_only:
        body["m"] = [
            [ids.shard_of(m.contact_id, shards), m.contact_id, m.phone, m.body, m.segments, m.token]
            for m in msgs
        ]
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    body["m"] = [
        [
            ids.shard_of(m.contact_id, shards),
            m.contact_id,
            m.phone,
            m.body,
            m.segments,
            m.token,
            m.channel,
            m.values or {},
            *([int(m.fallback)] if plan.delivery == DELIVERY_FIRST else []),
        ]
        for m in msgs
    ]
    body["ch"] = channel_batch(item, plan, {m.channel for m in msgs})
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def channel_batch(item: CampaignItem, plan: ChannelPlan, channels: set[str]) -> dict[str, Any]:
    """The `ch` of a send batch whose messages use `channels` (events.ChannelBatch)."""
    out: dict[str, Any] = {}
    if WHATSAPP in channels:
        out[WHATSAPP] = {"template": plan.settings[WHATSAPP]["template"]}
    if EMAIL in channels:
        out[EMAIL] = {"html": plan.settings[EMAIL]["html"], "links": list(item.links or [])}
    return out


def _close_run(
    tenant_id: str, item: CampaignItem, queued: int, allocated: int, **extra: Any
) -> int:
    """Record the run's totals, refund unallocated credits; returns the refund."""
    refund = max(int(item.run_reserved) - allocated, 0)
    if store.close_run(item, queued, allocated, refund, extra):
        tenants.refund_credits(tenant_id, refund)
        return refund
    return 0


def finalize(state: DispatchState) -> dict[str, Any]:
    """Mark dispatch complete, refund unallocated credits, complete the campaign if settled."""
    item = get_item(state.tenantId, state.campaignId)
    if int(item.run) != state.run or item.dispatch_complete:
        return {"status": item.status}
    _close_run(
        state.tenantId,
        item,
        state.queued or int(item.queued_count),
        state.allocated or int(item.run_allocated),
        **state.queuedBy,
    )
    maybe_complete(item)
    return {"status": item.status}


def fail(state: DispatchFailure) -> dict[str, Any]:
    """Catch-all: the dispatch broke. Refund what was not allocated and mark it failed;
    messages already queued are still sent."""
    item = get_item(state.tenantId, state.campaignId)
    cause = (state.error.Cause if state.error else "dispatch failed")[:500]
    if item.status == "sending" and not item.dispatch_complete:
        queued, allocated = int(item.queued_count), int(item.run_allocated)
        _close_run(state.tenantId, item, queued, allocated, failure_reason=cause)
        if queued == 0:
            store.set_fields(item, {"status": "failed"}, if_status=("sending",))
        else:
            maybe_complete(item)
    return {"status": item.status}
