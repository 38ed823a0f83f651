"""The tick's maintenance (VoiceTickFunction, every minute; issue 3 "Concurrency gating"):
the reaper, lost-callback recovery, the background cancel sweep, campaigns past their end date,
reconciling quiet campaigns, then the pump.

Costs per tick: one read of the semaphore item, one item read per held slot, one provider
request per quiet call in flight, one query per running campaign; nothing per queued call
except what is being cancelled.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from engage.channels import voice_registry
from engage.channels.voice_base import FINAL_STATUSES, STATUS_RANK
from engage.core import clock, keys
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.voice import accounts, executions, store, transitions
from engage.voice import semaphore_store as semaphore
from engage.voice.callbacks import status_callback
from engage.voice.models import CallQueueItem
from engage.voice.pump import pump
from engage.voice.task_models import CallState, TaskError
from engage.voice.tasks import task_record
from engage.voice.windows import WindowState, window_state

CANCEL_INLINE_SECONDS = 5.0  # of a cancel request (API Gateway allows a request 29 s)
SWEEP_TICK_SECONDS = 25.0  # of one tick (the tick Lambda has 55 s)


def _held_call(info: dict[str, Any]) -> tuple[CallState, CallQueueItem] | None:
    """The call a semaphore holder's `info` names and its queue item, when that attempt is
    still `in_progress` (one item read); None otherwise."""
    if not {"tenant", "campaign", "seq", "attempt"} <= info.keys():
        return None
    call = CallState(
        execution="-",
        tenant_id=str(info["tenant"]),
        campaign_id=str(info["campaign"]),
        seq=int(info["seq"]),
        attempt=int(info["attempt"]),
    )
    item = store.get_item(call.tenant_id, call.campaign_id, call.seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != call.attempt:
        return None
    return call, item


def _record_failure(call: CallState, error: str) -> None:
    task_record(call.model_copy(update={"error": TaskError.model_validate({"Error": error})}))


def reap(now: datetime | None = None) -> list[str]:
    """Free slots whose execution is no longer RUNNING (stopped, failed, timed out, or never
    started), once older than REAPER_GRACE_SECONDS, and repair their queue items: a call never
    placed goes back to the queue, a placed one is recorded as failed (`execution_ended`), never
    called twice. Returns the holders freed."""
    moment = now or clock.now()
    grace = timedelta(seconds=get_settings().reaper_grace_seconds)

    def stale(name: str, info: dict[str, Any]) -> bool:
        since = datetime.fromisoformat(str(info.get("since", "")).replace("Z", "+00:00"))
        return moment - since >= grace and not executions.is_running(name)

    freed = semaphore.reap(stale)
    for name, info in freed:
        held = _held_call(info)
        if held is None:
            continue
        call, item = held
        if item.call_sid or item.call_status == "dialing":
            _record_failure(call, "execution_ended")
        else:
            transitions.unclaim(call.tenant_id, call.campaign_id, call.seq, call.attempt)
        logger.warning("reaped call slot", extra={"holder": name})
    return [name for name, _ in freed]


def recover_lost_callbacks(moment: datetime | None = None) -> int:
    """Calls whose final status callback never came (issue 3: a lost callback must not hold a
    slot longer than the reaper's period). For each slot held longer than REAPER_GRACE_SECONDS
    by a placed call that has heard nothing for as long, the provider is asked for the call's
    state (`fetch_status`); a final state is applied exactly as the webhook would apply it,
    which completes the waiting execution, which records the call and releases the slot. A
    call still ringing or talking is left alone. Returns the calls recovered."""
    moment = moment or clock.now()
    quiet_since = clock.iso(moment - timedelta(seconds=get_settings().reaper_grace_seconds))
    adapter = None
    recovered = 0
    for info in semaphore.usage().holders.values():
        if str(info.get("since", "")) > quiet_since:
            continue
        held = _held_call(info)
        if held is None:
            continue
        call, item = held
        if not item.call_sid or item.final or str(item.updated_at) > quiet_since:
            continue
        adapter = adapter or voice_registry.voice_adapter()
        if item.gsi1pk != keys.call_sid_index_pk(adapter.name, item.call_sid):
            continue  # placed through another provider than the one configured now
        params = adapter.fetch_status(item.call_sid, item.phone_e164)
        status = (params or {}).get("CallStatus", "")
        if params is None or status not in FINAL_STATUSES:
            continue
        sequence = max(int(item.last_sequence or 0) + 1, STATUS_RANK[status])
        ref = keys.voice_call_ref(call.tenant_id, call.campaign_id, call.seq, call.attempt)
        result = status_callback(adapter.name, {**params, "SequenceNumber": str(sequence)}, ref)
        if result.applied:
            recovered += 1
            logger.warning(
                "voice call final status recovered from the provider",
                extra={"ref": ref, "status": status},
            )
    return recovered


def cancel_queued(
    tenant_id: str, campaign_id: str, reason: str, seconds: float | None = None
) -> tuple[int, bool]:
    """Move the campaign's `queued` items to `cancelled` through the ready index (so finished
    items are not read), for at most `seconds` of wall-clock time when given. Returns
    `(moved, finished)`: `finished` is False when time ran out with items still queued; a later
    call carries on where this one stopped (each move is conditional, so two sweeps at once
    never count an item twice)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    moved = page = 0
    finished = True
    for hit in store.ready_items(tenant_id, campaign_id):
        if deadline is not None and time.monotonic() >= deadline:
            finished = False
            break
        page += store.cancel_queued(hit, reason)
        if page == 100:
            transitions.bump(tenant_id, campaign_id, queued=-page, cancelled=page)
            moved, page = moved + page, 0
    if page:
        transitions.bump(tenant_id, campaign_id, queued=-page, cancelled=page)
    return moved + page, finished


def cancel_campaign_queue(tenant_id: str, campaign_id: str) -> tuple[int, int]:
    """Cancel a cancelled campaign's queue (`reason: campaign_cancelled`): as much as fits in
    CANCEL_INLINE_SECONDS now, the rest in the background (the campaign is registered for the
    tick's `sweep`). Returns `(cancelled now, still queued)`; the pump never starts a call of
    a campaign that is not `active`, so what is still queued is never called meanwhile."""
    moved, finished = cancel_queued(
        tenant_id, campaign_id, "campaign_cancelled", CANCEL_INLINE_SECONDS
    )
    if finished:
        return moved, 0
    store.set_sweeping(tenant_id, campaign_id, True)
    campaign = store.get_campaign(tenant_id, campaign_id)
    return moved, int(campaign.queued) if campaign else 0


def sweep(seconds: float = SWEEP_TICK_SECONDS) -> int:
    """Carry on cancelling the queues of campaigns registered by `cancel_campaign_queue`,
    within `seconds` in all; a campaign leaves the registry once nothing of it is queued.
    Returns the items cancelled."""
    deadline = time.monotonic() + seconds
    total = 0
    for entry in store.sweeping_campaigns():
        left = deadline - time.monotonic()
        if left <= 0:
            break
        moved, finished = cancel_queued(
            entry.tenant_id, entry.campaign_id, "campaign_cancelled", left
        )
        total += moved
        if finished:
            store.set_sweeping(entry.tenant_id, entry.campaign_id, False)
    return total


def reconcile(tenant_id: str, campaign_id: str, moment: datetime) -> bool:
    """Repair a quiet campaign: nothing in its ready index and no slot held for it, so nothing
    can be queued or in flight. Its per-status counters are recounted from the items (a Lambda
    that died between an item's write and the counter's ADD leaves them off by one), an item
    still `in_progress` with no slot and untouched for REAPER_GRACE_SECONDS is recorded as
    failed (`lost`), and the campaign completes. Returns whether a counter was corrected."""
    grace = clock.iso(moment - timedelta(seconds=get_settings().reaper_grace_seconds))
    counts = dict.fromkeys(("queued", "in_progress", "completed", "failed", "cancelled"), 0)
    for item in store.iter_queue(tenant_id, campaign_id):
        if item.status == "in_progress" and str(item.updated_at) < grace:
            seq, attempt = int(item.sk), int(item.attempts)
            _record_failure(
                CallState(
                    execution="-",
                    tenant_id=tenant_id,
                    campaign_id=campaign_id,
                    seq=seq,
                    attempt=attempt,
                ),
                "lost",
            )
            item = store.get_item(tenant_id, campaign_id, seq) or item
        counts[item.status] = counts.get(item.status, 0) + 1
    campaign = store.get_campaign(tenant_id, campaign_id)
    if campaign is None:
        return False
    drift = {
        k: v - int(getattr(campaign, k)) for k, v in counts.items() if v != getattr(campaign, k)
    }
    if drift:
        logger.warning("voice counters corrected", extra={"campaign": campaign_id, "drift": drift})
    transitions.bump(tenant_id, campaign_id, **drift)  # also completes it when nothing is left
    return bool(drift)


def _quiet(tenant_id: str, campaign_id: str, usage: semaphore.Usage) -> bool:
    """No queued item (due or not) and no slot held for the campaign."""
    if any(h.get("campaign") == campaign_id for h in usage.holders.values()):
        return False
    return next(store.ready_items(tenant_id, campaign_id, limit=1), None) is None


def tick(now: datetime | None = None) -> dict[str, int]:
    """The scheduled pass (every minute): reap dead holders, recover final statuses whose
    callback was lost, carry on cancelling the queues of cancelled campaigns, end campaigns
    whose end date has passed, reconcile and complete quiet ones, then pump. Returns what it
    did: `{reaped, recovered, swept, expired, corrected, started}`."""
    moment = now or clock.now()
    reaped = reap(moment)
    recovered = recover_lost_callbacks(moment)
    swept = sweep()
    ended = corrected = 0
    usage = semaphore.usage()
    for entry in store.running_campaigns():
        tenant_id, campaign_id = entry.tenant_id, entry.campaign_id
        campaign = store.get_campaign(tenant_id, campaign_id)
        if campaign is None or campaign.status != "active":
            store.set_running(tenant_id, campaign_id, False)
            continue
        _, tz = accounts.account_of(tenant_id)
        if window_state(campaign, tz, moment) == WindowState.OVER:
            # bounded: a long queue is finished on the next ticks (the campaign stays running,
            # and a campaign past its end date places no call)
            ended += cancel_queued(
                tenant_id, campaign_id, "campaign_window_ended", SWEEP_TICK_SECONDS / 2
            )[0]
        if _quiet(tenant_id, campaign_id, usage):
            corrected += reconcile(tenant_id, campaign_id, moment)
    return {
        "reaped": len(reaped),
        "recovered": recovered,
        "swept": swept,
        "expired": ended,
        "corrected": corrected,
        "started": pump(moment),
    }
