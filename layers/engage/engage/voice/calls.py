"""Running voice calls: the pump, the per-call state machine's tasks, status callbacks and the
reaper (issue 3 "Concurrency gating" and "Providers and webhooks"; DESIGN.md section 5).

How a queued call becomes a call (statemachines/voice_call.asl.json):

1. The **pump** finds due calls through the sparse ready index (GSI2, only `queued` items carry
   it), takes a semaphore slot for the call's execution (`semaphore.acquire`), claims the queue
   item (`queued` -> `in_progress`, one conditional update) and starts one Step Functions
   execution named after the call attempt. It runs when a campaign starts or resumes, when a
   limit is raised, after every slot release and on the one-minute tick, so a freed slot is
   refilled at once. Its cost is proportional to the slots it can fill, never to the length of
   the queue: nothing waits or polls per queued call. Slots are shared round-robin between
   accounts, fewest calls in flight first, so one account's 100,000 queued calls cannot starve
   another's ten.
2. **Acquire** (first state) re-takes the slot idempotently: the execution is the holder.
3. **PlaceCall** (`lambda:invoke.waitForTaskToken`) stores the task token on the queue item,
   re-checks the campaign, the call window and the contact's consent, and places the call
   through the voice adapter. The execution then waits, holding only its slot, until the final
   status callback completes the token (or the state's timeout fires).
4. **Record** applies the outcome: completed (answered or voicemail), retry later (`no-answer`
   and `busy`, up to `max_attempts`, `retry_delay_minutes` apart), or failed; counters move by
   atomic ADD and the campaign completes when nothing is queued or in progress.
5. **Release** runs the pump with the finished call's slot still held and hands the slot
   straight to the next call chosen (`semaphore.transfer`), or releases it when no call takes
   it (idempotent either way). Every failure path of the
   state machine ends in Release; executions that die or are stopped are caught by the
   **reaper** on the tick, which frees slots whose holder is no longer RUNNING.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engage.channels.voice import (
    FINAL_STATUSES,
    STATUS_RANK,
    OutboundCall,
    voice_adapter,
)
from engage.contacts import store as contact_store
from engage.core import clock, ids, keys
from engage.core.aws import client
from engage.core.errors import NotFound, ValidationFailed
from engage.core.observability import logger, mask_phone
from engage.core.settings import get_settings
from engage.tenants import service as tenants
from engage.voice import semaphore, store
from engage.voice.models import CallQueueItem, VoiceCampaignItem

RUNNABLE = ("active",)


# -- names and limits --------------------------------------------------------------------------
def queue_id(campaign_id: str, seq: int) -> str:
    """The public id of a queue item: `<campaignId>-<seq:06d>`."""
    return f"{campaign_id}-{seq:06d}"


def parse_queue_id(value: str) -> tuple[str, int] | None:
    """`(campaign_id, seq)` from a queue item id, or None when it is not one."""
    campaign_id, _, seq = value.rpartition("-")
    if not campaign_id or not seq.isdigit() or len(seq) != 6:
        return None
    return campaign_id, int(seq)


def execution_name(campaign_id: str, seq: int, attempt: int) -> str:
    """A fresh name for the Step Functions execution of one claim of a call attempt; it is
    also the semaphore holder id. Unique per claim (a claim given back and taken again gets a
    new execution); that an attempt is made once is the claim's job, not the name's."""
    return f"{queue_id(campaign_id, seq)}-{attempt}-{ids.token(6)}"


def ready_sk(not_before: str, seq: int, attempts: int) -> str:
    """GSI2 sort key of a queued item: due time, sequence, attempts made so far."""
    return f"{not_before}#{seq:06d}#{attempts}"


def account_limit(tenant_id: str) -> int:
    """The account's concurrent-calls limit (DEFAULT_USER_CONCURRENT_CALLS_LIMIT if unset)."""
    return account_of(tenant_id)[0]


def account_of(tenant_id: str) -> tuple[int, str]:
    """The account's concurrent-calls limit and time zone, from one read of the tenant item."""
    tenant = tenants.get_tenant(tenant_id)
    value = tenant.concurrent_calls_limit
    limit = int(value) if value is not None else get_settings().default_user_concurrent_calls_limit
    timezone = str((tenant.settings or {}).get("timezone") or "UTC")
    return limit, timezone


_TIMEZONES: dict[str, tuple[float, str]] = {}
TIMEZONE_TTL_SECONDS = 60.0


def cached_timezone(tenant_id: str) -> str:
    """The account's time zone, re-read at most once a minute per process. The pump uses it
    to skip campaigns outside their call window; PlaceCall re-checks with a fresh read, so a
    stale value can only delay or requeue a call, never place one outside its window."""
    now = time.monotonic()
    hit = _TIMEZONES.get(tenant_id)
    if hit is None or now - hit[0] > TIMEZONE_TTL_SECONDS:
        hit = (now, account_of(tenant_id)[1])
        _TIMEZONES[tenant_id] = hit
    return hit[1]


def system_limit() -> int:
    """SYSTEM_CONCURRENT_CALLS_LIMIT."""
    return get_settings().system_concurrent_calls_limit


# -- campaign helpers --------------------------------------------------------------------------
def bump(tenant_id: str, campaign_id: str, **deltas: int) -> VoiceCampaignItem | None:
    """Add to the campaign's per-status counters atomically; returns the campaign after the
    update (None when the campaign was deleted meanwhile). Completes it when nothing is left."""
    item = store.add_counts(tenant_id, campaign_id, deltas)
    if item is not None:
        maybe_complete(tenant_id, item)
    return item


def maybe_complete(tenant_id: str, item: VoiceCampaignItem) -> bool:
    """Move an active or paused campaign with nothing queued or in progress to `completed`."""
    if item.status not in ("active", "paused") or int(item.queued) or int(item.in_progress):
        return False
    now = clock.now_iso()
    if not store.update_if(
        item,
        [
            VoiceCampaignItem.status.set("completed"),
            VoiceCampaignItem.completed_at.set(now),
            VoiceCampaignItem.updated_at.set(now),
        ],
        VoiceCampaignItem.status.is_in("active", "paused")
        & (VoiceCampaignItem.queued == 0)
        & (VoiceCampaignItem.in_progress == 0),
    ):
        return False
    store.set_running(tenant_id, item.sk, False)
    logger.info("voice campaign completed", extra={"tenant": tenant_id, "campaign": item.sk})
    return True


def local_now(tz: str, now: datetime | None = None) -> datetime:
    """`now` in the account's time zone."""
    return (now or clock.now()).astimezone(ZoneInfo(tz))


def window_state(campaign: VoiceCampaignItem, tz: str, now: datetime | None = None) -> str:
    """`open`, `later` (before start date or first call time, or after today's last call
    time) or `over` (after the end date), in the account's time zone (issue 3: "bound when
    calls may be placed"). Both times are whole minutes and both are inclusive: with
    `last_call_time` 18:00 a call may still start at 18:00:59, and 00:00-23:59 is all day."""
    local = local_now(tz, now)
    day, hhmm = local.date().isoformat(), local.strftime("%H:%M")
    if campaign.end_date and day > campaign.end_date:
        return "over"
    if campaign.start_date and day < campaign.start_date:
        return "later"
    if campaign.first_call_time and hhmm < campaign.first_call_time:
        return "later"
    if campaign.last_call_time and hhmm > campaign.last_call_time:
        return "later"
    return "open"


# -- queue item transitions --------------------------------------------------------------------
def requeue_actions(tenant_id: str, item: CallQueueItem, not_before: str) -> list[Any]:
    """Actions that put an item back in the ready index (`queued`, due at `not_before`)."""
    seq = int(item.sk)
    return [
        CallQueueItem.status.set("queued"),
        CallQueueItem.next_attempt_at.set(not_before),
        CallQueueItem.gsi2pk.set(keys.call_ready_pk(tenant_id, item.campaign_id)),
        CallQueueItem.gsi2sk.set(ready_sk(not_before, seq, int(item.attempts))),
    ]


def claim(tenant_id: str, campaign_id: str, seq: int, seen_sk: str, attempt: int) -> bool:
    """`queued` -> `in_progress` for attempt `attempt`, only if the item is still the queued
    entry the pump saw (`seen_sk`); leaves the ready index in the same write."""
    item = CallQueueItem(*store.item_key(tenant_id, campaign_id, seq))
    now = clock.now_iso()
    return store.update_if(
        item,
        [
            CallQueueItem.status.set("in_progress"),
            CallQueueItem.attempts.set(attempt),
            CallQueueItem.call_status.set("starting"),
            CallQueueItem.call_sid.remove(),
            CallQueueItem.last_sequence.remove(),
            CallQueueItem.final.remove(),
            CallQueueItem.task_token.remove(),
            CallQueueItem.next_attempt_at.remove(),
            CallQueueItem.gsi2pk.remove(),
            CallQueueItem.gsi2sk.remove(),
            CallQueueItem.started_at.set(now),
            CallQueueItem.updated_at.set(now),
        ],
        (CallQueueItem.status == "queued") & (CallQueueItem.gsi2sk == seen_sk),
    )


def unclaim(tenant_id: str, campaign_id: str, seq: int, attempt: int) -> bool:
    """Undo a claim whose call was never placed (no slot, campaign paused, start failed):
    back to `queued`, due now, with the attempt not counted."""
    item = store.get_item(tenant_id, campaign_id, seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != attempt:
        return False
    campaign = store.get_campaign(tenant_id, campaign_id)
    if campaign is None or campaign.status == "cancelled":  # its queue was swept already
        return finish(tenant_id, item, attempt, "cancelled", reason="campaign_cancelled")
    item.attempts = attempt - 1
    done = store.update_if(
        item,
        [
            *requeue_actions(tenant_id, item, clock.now_iso()),
            CallQueueItem.attempts.set(attempt - 1),
            CallQueueItem.call_status.remove(),
            CallQueueItem.task_token.remove(),
            CallQueueItem.updated_at.set(clock.now_iso()),
        ],
        (CallQueueItem.status == "in_progress")
        & (CallQueueItem.attempts == attempt)
        & CallQueueItem.call_sid.does_not_exist(),
    )
    if done:
        bump(tenant_id, campaign_id, in_progress=-1, queued=1)
    return done


def finish(
    tenant_id: str,
    item: CallQueueItem,
    attempt: int,
    status: str,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    call: dict[str, Any] | None = None,
    retry_at: str | None = None,
) -> bool:
    """Record an in-progress attempt's end: `status` is `completed`, `failed`, `cancelled` or
    `queued` (a retry due at `retry_at`); `call` is appended to the item's call log."""
    now = clock.now_iso()
    actions: list[Any] = [
        CallQueueItem.task_token.remove(),
        CallQueueItem.updated_at.set(now),
    ]
    if outcome:
        actions.append(CallQueueItem.last_outcome.set(outcome))
    if reason:
        actions.append(CallQueueItem.reason.set(reason))
    if call:
        actions.append(CallQueueItem.calls.set(CallQueueItem.calls.append([call])))
        actions.append(CallQueueItem.talk_seconds.add(int(call.get("talk_seconds") or 0)))
    if status == "queued":
        actions += requeue_actions(tenant_id, item, retry_at or now)
    else:
        actions += [CallQueueItem.status.set(status), CallQueueItem.ended_at.set(now)]
    done = store.update_if(
        item,
        actions,
        (CallQueueItem.status == "in_progress") & (CallQueueItem.attempts == attempt),
    )
    if done:
        bump(tenant_id, item.campaign_id, in_progress=-1, **{status: 1})
    return done


# -- the pump ----------------------------------------------------------------------------------
def start_execution(tenant_id: str, campaign_id: str, seq: int, attempt: int, name: str) -> None:
    """Start the call's state machine execution `name` (a second start of it is a no-op)."""
    sfn = client("stepfunctions")
    with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(
            stateMachineArn=get_settings().voice_state_machine_arn,
            name=name,
            input=json.dumps(
                {
                    "execution": name,
                    "tenant_id": tenant_id,
                    "campaign_id": campaign_id,
                    "seq": seq,
                    "attempt": attempt,
                    # PlaceCall's wait: the provider's own call limit plus 15 minutes.
                    "timeout_seconds": get_settings().call_max_seconds + 900,
                }
            ),
        )


class _Pump:
    """One pass of the pump (see the module docstring). With `handoff` (`(holder, account)` of
    a call that just ended and still holds its slot), the first call started takes that slot
    over in one write (`semaphore.transfer`) instead of a release and a new acquire; the pass
    treats the slot as free, and the caller releases it if no call took it (`handoff_used`)."""

    def __init__(self, now: datetime, handoff: tuple[str, str] | None = None) -> None:
        self.now = now
        self.now_iso = clock.iso(now)
        self.system_limit = system_limit()
        self.default_limit = get_settings().default_user_concurrent_calls_limit
        self.started = 0
        self.handoff = handoff
        self.handoff_used = False  # a call took the handed-off slot over

    def _take(self, tenant_id: str, name: str, info: dict[str, Any]) -> bool:
        """A slot for `name`: the handed-off one while it is unused, else a new acquire."""
        if self.handoff and not self.handoff_used:
            holder, account = self.handoff
            if semaphore.transfer(
                holder, account, tenant_id, name, self.default_limit, self.system_limit, info
            ):
                self.handoff_used = True
                return True
            if tenant_id == account:  # the account is at its limit even after the release
                return False
            # another account at its limit: try a fresh slot (the handed-off one stays held)
        return semaphore.acquire(tenant_id, name, self.default_limit, self.system_limit, info)

    def _start_one(self, tenant_id: str, campaign_id: str, limit: int) -> str:
        """Start the campaign's next due call: `started`, `full` (a limit said no) or `empty`."""
        for hit in store.ready_items(tenant_id, campaign_id, self.now_iso, limit=5):
            seen = str(hit.gsi2sk)
            _, seq_text, attempts_text = seen.rsplit("#", 2)
            seq, attempt = int(seq_text), int(attempts_text) + 1
            name = execution_name(campaign_id, seq, attempt)
            info = {"tenant": tenant_id, "campaign": campaign_id, "seq": seq, "attempt": attempt}
            if not self._take(tenant_id, name, info):
                return "full"
            if not claim(tenant_id, campaign_id, seq, seen, attempt):
                semaphore.release(name)  # someone else took it (or it was cancelled)
                continue
            bump(tenant_id, campaign_id, queued=-1, in_progress=1)
            try:
                start_execution(tenant_id, campaign_id, seq, attempt, name)
            except Exception:
                unclaim(tenant_id, campaign_id, seq, attempt)
                semaphore.release(name)
                raise
            return "started"
        return "empty"

    def run(self, max_starts: int | None = None) -> int:
        """Fill free slots round-robin across accounts; returns the calls started."""
        by_tenant: dict[str, list[str]] = {}
        for entry in store.running_campaigns():
            by_tenant.setdefault(entry.tenant_id, []).append(entry.campaign_id)
        if not by_tenant:
            return 0
        usage = semaphore.usage()
        in_flight = dict(usage.accounts)
        free = self.system_limit - usage.active
        if self.handoff and self.handoff[0] in usage.holders:  # about to be free
            free += 1
            in_flight[self.handoff[1]] = in_flight.get(self.handoff[1], 0) - 1
        elif self.handoff:  # not held after all (a repeated Release): nothing to hand off
            self.handoff = None
        state: dict[str, dict[str, Any]] = {}
        for tenant_id, campaign_ids in by_tenant.items():
            try:
                tz = cached_timezone(tenant_id)
            except NotFound:  # a deleted tenant: nothing to call
                logger.warning("running campaign of a missing tenant", extra={"tenant": tenant_id})
                continue
            campaigns = [
                c for c in (store.get_campaign(tenant_id, cid) for cid in campaign_ids) if c
            ]
            open_ids = [
                c.sk
                for c in campaigns
                if c.status in RUNNABLE and window_state(c, tz, self.now) == "open"
            ]
            random.shuffle(open_ids)  # no campaign of an account is always served first
            limit = usage.limit_of(tenant_id, self.default_limit)
            if open_ids and in_flight.get(tenant_id, 0) < limit:
                state[tenant_id] = {
                    "limit": limit,
                    "in_flight": in_flight.get(tenant_id, 0),
                    "ids": open_ids,
                }
        while free > 0 and state and (max_starts is None or self.started < max_starts):
            # Fewest calls in flight (relative to the account's limit) goes first each round.
            order = sorted(
                state, key=lambda t: (state[t]["in_flight"] / state[t]["limit"], random.random())
            )
            for tenant_id in order:
                if free <= 0 or (max_starts is not None and self.started >= max_starts):
                    break
                account = state[tenant_id]
                outcome = "empty"
                while account["ids"]:
                    campaign_id = account["ids"][0]
                    outcome = self._start_one(tenant_id, campaign_id, account["limit"])
                    if outcome == "empty":
                        account["ids"].pop(0)
                        continue
                    account["ids"].append(account["ids"].pop(0))  # round-robin between campaigns
                    break
                if outcome == "started":
                    self.started += 1
                    free -= 1
                    account["in_flight"] += 1
                    if account["in_flight"] >= account["limit"]:
                        del state[tenant_id]
                else:  # full or nothing due
                    del state[tenant_id]
                    pending = self.handoff is not None and not self.handoff_used
                    active = semaphore.usage().active - pending  # a pending hand-off is free
                    if outcome == "full" and active >= self.system_limit:
                        return self.started
        return self.started


def pump(now: datetime | None = None, max_starts: int | None = None) -> int:
    """Start due calls while slots are free; returns how many were started."""
    return _Pump(now or clock.now()).run(max_starts)


def release_and_pump(holder: str, account_id: str) -> tuple[bool, int]:
    """Give back a finished call's slot and refill free slots: the slot goes straight to the
    next call the pump chooses (fairness order unchanged) or, when none takes it, is released.
    Returns `(released, started)`; `released` is whether `holder` held a slot (a repeated
    Release finds none and hands off nothing)."""
    run = _Pump(clock.now(), handoff=(holder, account_id))
    try:
        started = run.run()
    finally:
        # not taken over (or the pass failed): an ordinary, idempotent release
        released = run.handoff_used or semaphore.release(holder, account_id)
    return released, started


# -- state machine tasks -----------------------------------------------------------------------
def _holder(event: dict[str, Any]) -> str:
    return str(event["execution"])


def _call_of(event: dict[str, Any]) -> tuple[str, str, int, int]:
    return (
        str(event["tenant_id"]),
        str(event["campaign_id"]),
        int(event["seq"]),
        int(event["attempt"]),
    )


def task_acquire(event: dict[str, Any]) -> dict[str, Any]:
    """State `Acquire`: hold a slot for this execution (already held when the pump started it;
    acquiring again is a no-op). Returns `{"acquired": bool}`."""
    tenant_id, campaign_id, seq, attempt = _call_of(event)
    name = _holder(event)
    if semaphore.holds(name):  # the usual case: the pump took the slot for this execution
        return {"acquired": True}
    info = {"tenant": tenant_id, "campaign": campaign_id, "seq": seq, "attempt": attempt}
    default = get_settings().default_user_concurrent_calls_limit
    ok = semaphore.acquire(tenant_id, name, default, system_limit(), info)
    return {"acquired": ok}


def task_requeue(event: dict[str, Any]) -> dict[str, Any]:
    """State `Requeue` (no slot after all): the call goes back to the queue, not counted."""
    tenant_id, campaign_id, seq, attempt = _call_of(event)
    return {"requeued": unclaim(tenant_id, campaign_id, seq, attempt)}


def _callback_url(provider: str, ref: str) -> str:
    return f"{get_settings().public_base_url}/webhooks/voice/{provider}/status?ref={ref}"


def task_place(event: dict[str, Any]) -> None:
    """State `PlaceCall` (`.waitForTaskToken`): store the token, re-check, place the call.

    When no call is placed the token is completed here with `{"placed": false,
    "disposition": "requeue" | "cancelled" | "failed", "reason"}`; otherwise the final status
    callback completes it (`status_callback`)."""
    from engage.voice import tokens

    tenant_id, campaign_id, seq, attempt = _call_of(event)
    token = str(event["task_token"])
    item = CallQueueItem(*store.item_key(tenant_id, campaign_id, seq))
    mine = (CallQueueItem.status == "in_progress") & (CallQueueItem.attempts == attempt)
    # First try of this state: store the token and mark the attempt as dialing in one write.
    if not store.update_if(
        item,
        [CallQueueItem.task_token.set(token), CallQueueItem.call_status.set("dialing")],
        mine & (CallQueueItem.call_status == "starting"),
    ):
        # A retried try: the token is new, what happened before decides what happens now.
        if not store.update_if(item, [CallQueueItem.task_token.set(token)], mine):
            tokens.succeed(token, {"placed": False, "disposition": "stale", "reason": "superseded"})
            return
        if item.final:  # the provider's final callback is already recorded
            tokens.succeed(token, {"placed": True, **dict(item.final.as_dict())})
        elif not item.call_sid:  # an earlier try died while dialing: never call twice
            tokens.succeed(
                token, {"placed": False, "disposition": "failed", "reason": "placement_unknown"}
            )
        return  # else placed by the earlier try: its callback completes the new token
    campaign = store.get_campaign(tenant_id, campaign_id)
    verdict = _may_call(tenant_id, campaign, item)
    if verdict is not None:
        tokens.succeed(token, {"placed": False, **verdict})
        return
    adapter = voice_adapter()
    ref = f"{tenant_id}.{queue_id(campaign_id, seq)}.{attempt}"
    placement = adapter.place_call(
        OutboundCall(
            to=item.phone_e164,
            agent_id=campaign.agent_id if campaign else None,
            status_callback_url=_callback_url(adapter.name, ref),
            ref=ref,
        )
    )
    logger.info(
        "voice call placed" if placement.placed else "voice call refused",
        extra={"to": mask_phone(item.phone_e164), "ref": ref, "error": placement.error},
    )
    if not placement.placed or not placement.call_sid:
        tokens.succeed(
            token,
            {"placed": False, "disposition": "failed", "reason": placement.error or "refused"},
        )
        return
    store.update_if(
        item,
        [
            CallQueueItem.call_sid.set(placement.call_sid),
            CallQueueItem.call_status.set("initiated"),
            CallQueueItem.gsi1pk.set(keys.call_sid_index_pk(adapter.name, placement.call_sid)),
            CallQueueItem.gsi1sk.set(keys.tenant_pk(tenant_id)),
        ],
        CallQueueItem.attempts == attempt,
    )
    if item.final:  # the final callback beat us to the item (it found it by `ref`)
        tokens.succeed(token, {"placed": True, **dict(item.final.as_dict())})


def _may_call(
    tenant_id: str, campaign: VoiceCampaignItem | None, item: CallQueueItem
) -> dict[str, str] | None:
    """None when the call may be placed now; else why not and what to do with the item."""
    if campaign is None or campaign.status == "cancelled":
        return {"disposition": "cancelled", "reason": "campaign_cancelled"}
    if campaign.status != "active":
        return {"disposition": "requeue", "reason": f"campaign_{campaign.status}"}
    _, tz = account_of(tenant_id)
    if window_state(campaign, tz) != "open":
        return {"disposition": "requeue", "reason": "outside_call_window"}
    contact = contact_store.get(tenant_id, item.contact_id)
    if contact is None:
        return {"disposition": "cancelled", "reason": "contact_deleted"}
    if contact.sms_consent == "opted_out":
        return {"disposition": "cancelled", "reason": "opted_out"}
    return None


def classify(status: str, answered_by: str | None) -> str:
    """Our outcome for a final call status: answered, voicemail, no_answer, busy or failed."""
    if status == "completed":
        return "voicemail" if (answered_by or "").startswith(("machine", "fax")) else "answered"
    return {"no-answer": "no_answer", "busy": "busy"}.get(status, "failed")


def task_record(event: dict[str, Any]) -> dict[str, Any]:
    """State `Record`: apply the call's result (`event["result"]`, the token's output) or the
    wait's error (`event["error"]`, e.g. `States.Timeout`) to the queue item."""
    tenant_id, campaign_id, seq, attempt = _call_of(event)
    item = store.get_item(tenant_id, campaign_id, seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != attempt:
        return {"recorded": False}
    result = event.get("result") or {}
    error = event.get("error")
    now = clock.now_iso()
    if error or not result:
        name = (error or {}).get("Error") or "NoResult"
        reason = "timeout" if "Timeout" in name else name
        call = (
            _call_entry(item, attempt, "failed", "failed", 0, None, now) if item.call_sid else None
        )
        return {
            "recorded": finish(
                tenant_id, item, attempt, "failed", outcome="failed", reason=reason, call=call
            )
        }
    if not result.get("placed"):
        disposition = result.get("disposition")
        reason = str(result.get("reason") or "")
        if disposition == "stale":
            return {"recorded": False}
        if disposition == "requeue":
            return {"recorded": unclaim(tenant_id, campaign_id, seq, attempt)}
        status = "cancelled" if disposition == "cancelled" else "failed"
        return {
            "recorded": finish(
                tenant_id,
                item,
                attempt,
                status,
                reason=reason,
                outcome=None if status == "cancelled" else "failed",
            )
        }
    call_status = str(result.get("status"))
    outcome = classify(call_status, result.get("answered_by"))
    talk = int(result.get("talk_seconds") or 0) if outcome in ("answered", "voicemail") else 0
    call = _call_entry(item, attempt, call_status, outcome, talk, result.get("answered_by"), now)
    if outcome in ("answered", "voicemail"):
        return {
            "recorded": finish(tenant_id, item, attempt, "completed", outcome=outcome, call=call)
        }
    campaign = store.get_campaign(tenant_id, campaign_id)
    retry = (
        outcome in ("no_answer", "busy")
        and campaign is not None
        and campaign.status in ("active", "paused")
        and attempt < int(campaign.max_attempts)
    )
    if retry and campaign is not None:
        due = clock.iso(clock.now() + timedelta(minutes=int(campaign.retry_delay_minutes)))
        return {
            "recorded": finish(
                tenant_id, item, attempt, "queued", outcome=outcome, call=call, retry_at=due
            ),
            "retry_at": due,
        }
    return {"recorded": finish(tenant_id, item, attempt, "failed", outcome=outcome, call=call)}


def _call_entry(
    item: CallQueueItem,
    attempt: int,
    status: str,
    outcome: str,
    talk: int,
    answered_by: Any,
    now: str,
) -> dict[str, Any]:
    return {
        "attempt": attempt,
        "call_sid": item.call_sid,
        "status": status,
        "outcome": outcome,
        "answered_by": answered_by,
        "talk_seconds": talk,
        "started_at": item.started_at,
        "ended_at": now,
    }


def task_release(event: dict[str, Any]) -> dict[str, Any]:
    """State `Release` (every path ends here): give the slot back, then refill free slots."""
    released, started = release_and_pump(_holder(event), str(event["tenant_id"]))
    return {"released": released, "started": started}


# -- status callbacks --------------------------------------------------------------------------
def _locate(provider: str, call_sid: str, ref: str | None) -> tuple[str, CallQueueItem, int] | None:
    """(tenant, item, attempt) for a callback: by our `ref` when present, else by call id."""
    if ref:
        parts = ref.split(".")
        parsed = parse_queue_id(parts[1]) if len(parts) == 3 else None
        if parsed and parts[2].isdigit():
            item = store.get_item(parts[0], parsed[0], parsed[1])
            return (parts[0], item, int(parts[2])) if item else None
        return None
    for tenant_id, campaign_id, seq in store.items_by_call_sid(provider, call_sid):
        item = store.get_item(tenant_id, campaign_id, seq)
        if item is not None and item.call_sid == call_sid:
            return tenant_id, item, int(item.attempts)
    return None


def status_callback(provider: str, params: dict[str, str], ref: str | None) -> dict[str, Any]:
    """Apply one call-progress callback (Twilio's parameters). Idempotent and order-proof:
    a callback whose `SequenceNumber` is not above the last one applied changes nothing. The
    final status completes the waiting execution's task token; earlier ones send heartbeats.
    Returns `{"applied": bool, "status", "reason"?}`."""
    from engage.voice import tokens

    call_sid = params.get("CallSid") or ""
    status = (params.get("CallStatus") or "").lower()
    if not call_sid or status not in STATUS_RANK:
        raise ValidationFailed(
            "Missing CallSid or unknown CallStatus",
            {"CallSid": "required", "CallStatus": "one of " + ", ".join(sorted(STATUS_RANK))},
        )
    raw_seq = params.get("SequenceNumber")
    sequence = int(raw_seq) if raw_seq and raw_seq.isdigit() else STATUS_RANK[status]
    found = _locate(provider, call_sid, ref)
    if found is None:
        return {"applied": False, "status": status, "reason": "unknown call"}
    _, item, attempt = found
    final = status in FINAL_STATUSES
    actions: list[Any] = [
        CallQueueItem.call_status.set(status),
        CallQueueItem.last_sequence.set(sequence),
        CallQueueItem.updated_at.set(clock.now_iso()),
    ]
    if final:
        duration = params.get("CallDuration") or "0"
        actions.append(
            CallQueueItem.final.set(
                {
                    "status": status,
                    "talk_seconds": int(duration) if duration.isdigit() else 0,
                    "answered_by": params.get("AnsweredBy") or None,
                    "call_sid": call_sid,
                }
            )
        )
    condition = (
        (CallQueueItem.attempts == attempt)
        & (CallQueueItem.call_sid.does_not_exist() | (CallQueueItem.call_sid == call_sid))
        & (CallQueueItem.last_sequence.does_not_exist() | (CallQueueItem.last_sequence < sequence))
        & CallQueueItem.final.does_not_exist()
    )
    if not store.update_if(item, actions, condition):
        return {"applied": False, "status": status, "reason": "duplicate or out of order"}
    if provider == "sandbox":
        from engage.channels.voice import CALL_OUTBOX

        CALL_OUTBOX.set_status(call_sid, status)
    if item.task_token:
        if final:
            tokens.succeed(item.task_token, {"placed": True, **dict(item.final.as_dict())})
        else:
            tokens.heartbeat(item.task_token)
    return {"applied": True, "status": status}


# -- the tick: reaper, window ends, pump -------------------------------------------------------
def _execution_running(name: str) -> bool:
    arn = get_settings().voice_state_machine_arn.replace(":stateMachine:", ":execution:")
    sfn = client("stepfunctions")
    try:
        status = sfn.describe_execution(executionArn=f"{arn}:{name}")["status"]
    except sfn.exceptions.ExecutionDoesNotExist:
        return False
    return bool(status == "RUNNING")


def _held_call(info: dict[str, Any]) -> tuple[str, str, int, int, CallQueueItem] | None:
    """`(tenant, campaign, seq, attempt, item)` of the call a semaphore holder's `info` names,
    when that attempt is still `in_progress` (one item read); None otherwise."""
    if not {"tenant", "campaign", "seq", "attempt"} <= info.keys():
        return None
    tenant_id, campaign_id = str(info["tenant"]), str(info["campaign"])
    seq, attempt = int(info["seq"]), int(info["attempt"])
    item = store.get_item(tenant_id, campaign_id, seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != attempt:
        return None
    return tenant_id, campaign_id, seq, attempt, item


def reap(now: datetime | None = None) -> list[str]:
    """Free slots whose execution is no longer RUNNING (stopped, failed, timed out, or never
    started), once older than REAPER_GRACE_SECONDS, and repair their queue items: a call never
    placed goes back to the queue, a placed one is recorded as failed (`execution_ended`), never
    called twice. Returns the holders freed."""
    moment = now or clock.now()
    grace = timedelta(seconds=get_settings().reaper_grace_seconds)

    def stale(name: str, info: dict[str, Any]) -> bool:
        since = datetime.fromisoformat(str(info.get("since", "")).replace("Z", "+00:00"))
        return moment - since >= grace and not _execution_running(name)

    freed = semaphore.reap(stale)
    for name, info in freed:
        held = _held_call(info)
        if held is None:
            continue
        tenant_id, campaign_id, seq, attempt, item = held
        if item.call_sid or item.call_status == "dialing":
            task_record(
                {
                    "tenant_id": tenant_id,
                    "campaign_id": campaign_id,
                    "seq": seq,
                    "attempt": attempt,
                    "error": {"Error": "execution_ended"},
                }
            )
        else:
            unclaim(tenant_id, campaign_id, seq, attempt)
        logger.warning("reaped call slot", extra={"holder": name})
    return [name for name, _ in freed]


def recover_lost_callbacks(moment: datetime | None = None) -> int:
    """Calls whose final status callback never came (issue 3: a lost callback must not hold a
    slot longer than the reaper's period). For each slot held longer than REAPER_GRACE_SECONDS
    by a placed call that has heard nothing for as long, the provider is asked for the call's
    state (`fetch_status`); a final state is applied exactly as the webhook would apply it,
    which completes the waiting execution, which records the call and releases the slot. A
    call still ringing or talking is left alone. Cost: one item read per held slot and one
    provider request per quiet call in flight, per tick; nothing per queued call. Returns the
    calls recovered."""
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
        tenant_id, campaign_id, seq, attempt, item = held
        if not item.call_sid or item.final or str(item.updated_at) > quiet_since:
            continue
        adapter = adapter or voice_adapter()
        if item.gsi1pk != keys.call_sid_index_pk(adapter.name, item.call_sid):
            continue  # placed through another provider than the one configured now
        params = adapter.fetch_status(item.call_sid, item.phone_e164)
        status = (params or {}).get("CallStatus", "")
        if params is None or status not in FINAL_STATUSES:
            continue
        sequence = max(int(item.last_sequence or 0) + 1, STATUS_RANK[status])
        ref = f"{tenant_id}.{queue_id(campaign_id, seq)}.{attempt}"
        result = status_callback(adapter.name, {**params, "SequenceNumber": str(sequence)}, ref)
        if result["applied"]:
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
        now = clock.now_iso()
        page += store.update_if(
            CallQueueItem(hit.pk, hit.sk),
            [
                CallQueueItem.status.set("cancelled"),
                CallQueueItem.reason.set(reason),
                CallQueueItem.gsi2pk.remove(),
                CallQueueItem.gsi2sk.remove(),
                CallQueueItem.ended_at.set(now),
                CallQueueItem.updated_at.set(now),
            ],
            CallQueueItem.status == "queued",  # a stale index entry changes nothing
        )
        if page == 100:
            bump(tenant_id, campaign_id, queued=-page, cancelled=page)
            moved, page = moved + page, 0
    if page:
        bump(tenant_id, campaign_id, queued=-page, cancelled=page)
    return moved + page, finished


CANCEL_INLINE_SECONDS = 5.0  # of a cancel request (API Gateway allows a request 29 s)
SWEEP_TICK_SECONDS = 25.0  # of one tick (the tick Lambda has 55 s)


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
            task_record(
                {
                    "tenant_id": tenant_id,
                    "campaign_id": campaign_id,
                    "seq": int(item.sk),
                    "attempt": int(item.attempts),
                    "error": {"Error": "lost"},
                }
            )
            item = store.get_item(tenant_id, campaign_id, int(item.sk)) or item
        counts[item.status] = counts.get(item.status, 0) + 1
    campaign = store.get_campaign(tenant_id, campaign_id)
    if campaign is None:
        return False
    drift = {
        k: v - int(getattr(campaign, k)) for k, v in counts.items() if v != getattr(campaign, k)
    }
    if drift:
        logger.warning("voice counters corrected", extra={"campaign": campaign_id, "drift": drift})
    bump(tenant_id, campaign_id, **drift)  # also completes it when nothing is left
    return bool(drift)


def _quiet(tenant_id: str, campaign_id: str, usage: semaphore.Usage) -> bool:
    """No queued item (due or not) and no slot held for the campaign."""
    if any(h.get("campaign") == campaign_id for h in usage.holders.values()):
        return False
    return next(store.ready_items(tenant_id, campaign_id, limit=1), None) is None


def tick(now: datetime | None = None) -> dict[str, Any]:
    """The scheduled pass (every minute): reap dead holders, recover final statuses whose
    callback was lost, carry on cancelling the queues of cancelled campaigns, end campaigns
    whose end date has passed, reconcile and complete quiet ones, then pump. Returns what it
    did."""
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
        _, tz = account_of(tenant_id)
        if window_state(campaign, tz, moment) == "over":
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
