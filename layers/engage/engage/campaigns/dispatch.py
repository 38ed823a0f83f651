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
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from engage.campaigns import message_store, ports, store
from engage.campaigns.compose import TOKEN_LENGTH, compose_values, render_for
from engage.campaigns.message_store import Message
from engage.campaigns.models import CampaignItem
from engage.campaigns.quiet_hours import quiet_until
from engage.campaigns.service import get_item
from engage.campaigns.settle import maybe_complete
from engage.core import clock, ids, keys
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
    return _state(state, page=0, queued=0, allocated=0)


def resolve_page(state: DispatchState) -> dict[str, Any]:
    """Write and queue one page of the snapshot; returns the next state."""
    settings = get_settings()
    tenant_id, campaign_id, run, page_no = state.tenantId, state.campaignId, state.run, state.page
    item = get_item(tenant_id, campaign_id)
    if item.status != "sending" or int(item.run) != run:
        return _state(state, done=True)
    tenant_settings = tenants.get_settings_of(tenant_id)
    resume = quiet_until(tenant_settings, clock.now())
    if resume is not None:
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
    retried = bool(claims) and bool(message_store.claims_that_exist(claims[:1]))
    budget = int(item.run_reserved) - state.allocated
    batches, budget = _messages(item, tenant_id, chunks, budget, resolved_at)
    have = message_store.claims_that_exist(claims) if retried else set()
    message_store.put_claims(
        [(key, len(msgs)) for key, msgs in zip(claims, batches, strict=True) if key not in have]
    )
    ports.send_batches(
        [
            _body(key[1], tenant_id, campaign_id, run, resolved_at, tenant_settings, msgs)
            for key, msgs in zip(claims, batches, strict=True)
            if msgs
        ]
    )
    queued = state.queued + sum(len(msgs) for msgs in batches)
    allocated = state.allocated + sum(m.segments for msgs in batches for m in msgs)
    if not store.record_page(item, queued, allocated):
        return _state(state, done=True, queued=queued, allocated=allocated)  # cancelled
    return _state(
        state, done=first + count >= total, page=page_no + 1, queued=queued, allocated=allocated
    )


def _messages(
    item: CampaignItem,
    tenant_id: str,
    chunks: list[list[list[Any]]],
    budget: int,
    now: str,
) -> tuple[list[list[Message]], int]:
    """Each chunk's messages, rendered. A message that would overspend the credits reserved
    at enqueue is left out."""
    shards, run = get_settings().message_shards, int(item.run)
    campaign_id = item.sk
    keyed = [
        [
            (keys.message_key(tenant_id, campaign_id, ids.shard_of(r[0], shards), run, r[0]), r)
            for r in rows
        ]
        for rows in chunks
    ]
    out: list[list[Message]] = []
    for chunk in keyed:
        batch: list[Message] = []
        for key, (contact_id, phone, first_name, last_name, _) in chunk:
            token = ids.token(TOKEN_LENGTH) if item.links else None
            body = render_for(item, compose_values(item, first_name, last_name), token)
            msg = Message(*key, contact_id, phone, body, segment_count(body), token, now)
            if msg.segments > budget:
                continue  # never spend more than was debited
            budget -= msg.segments
            batch.append(msg)
        out.append(batch)
    return out, budget


def _body(
    batch_sk: str,
    tenant_id: str,
    campaign_id: str,
    run: int,
    resolved_at: str,
    tenant_settings: Any,
    msgs: list[Message],
) -> str:
    """One SQS message: what the sender needs to send and record its recipients."""
    shards = get_settings().message_shards
    return json.dumps(
        {
            "t": tenant_id,
            "c": campaign_id,
            "r": run,
            "b": batch_sk,
            "tz": tenant_settings.timezone,
            "from": tenant_settings.senderId or None,
            "at": resolved_at,
            "created": msgs[0].created_at,
            "m": [
                [
                    ids.shard_of(m.contact_id, shards),
                    m.contact_id,
                    m.phone,
                    m.body,
                    m.segments,
                    m.token,
                ]
                for m in msgs
            ],
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


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
