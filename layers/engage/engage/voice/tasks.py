"""The per-call state machine's tasks (statemachines/voice_call.asl.json; DESIGN.md section 5):

1. **Acquire** re-takes the slot idempotently: the execution is the holder.
2. **PlaceCall** (`lambda:invoke.waitForTaskToken`) stores the task token on the queue item,
   re-checks the campaign, the call window and the contact's consent, and places the call
   through the voice adapter. The execution then waits, holding only its slot, until the final
   status callback completes the token (`engage.voice.callbacks`) or the state's timeout fires.
3. **Record** applies the outcome: completed (answered or voicemail), retry later (`no-answer`
   and `busy`, up to `max_attempts`, `retry_delay_minutes` apart), or failed.
4. **Release** runs the pump with the finished call's slot still held and hands the slot
   straight to the next call chosen, or releases it (idempotent either way). Every failure
   path of the state machine ends in Release; executions that die are the reaper's
   (`engage.voice.maintenance`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engage.channels import voice_registry
from engage.channels.voice_base import OutboundCall
from engage.contacts import store as contact_store
from engage.core import clock, keys
from engage.core.observability import logger, mask_phone
from engage.core.settings import get_settings
from engage.voice import accounts, store, tokens, transitions
from engage.voice import semaphore_store as semaphore
from engage.voice.models import CallQueueItem, VoiceCallOutcome, VoiceCampaignItem
from engage.voice.pump import release_and_pump
from engage.voice.task_models import CallResult, CallState, Disposition
from engage.voice.windows import WindowState, window_state

CONNECTED = (VoiceCallOutcome.ANSWERED.value, VoiceCallOutcome.VOICEMAIL.value)


def _info(call: CallState) -> dict[str, Any]:
    return {
        "tenant": call.tenant_id,
        "campaign": call.campaign_id,
        "seq": call.seq,
        "attempt": call.attempt,
    }


def task_acquire(call: CallState) -> dict[str, Any]:
    """State `Acquire`: hold a slot for this execution (already held when the pump started it;
    acquiring again is a no-op). Returns `{"acquired": bool}`."""
    if semaphore.holds(call.execution):  # the usual case: the pump took the slot for it
        return {"acquired": True}
    ok = semaphore.acquire(
        call.tenant_id,
        call.execution,
        accounts.default_limit(),
        accounts.system_limit(),
        _info(call),
    )
    return {"acquired": ok}


def task_requeue(call: CallState) -> dict[str, Any]:
    """State `Requeue` (no slot after all): the call goes back to the queue, not counted."""
    return {
        "requeued": transitions.unclaim(call.tenant_id, call.campaign_id, call.seq, call.attempt)
    }


def callback_url(provider: str, ref: str) -> str:
    """The status-callback URL a provider posts a call's progress to."""
    return f"{get_settings().callback_base_url}/webhooks/voice/{provider}/status?ref={ref}"


def _done(token: str, result: CallResult) -> None:
    tokens.succeed(token, result.model_dump(exclude_none=True))


def _final(item: CallQueueItem) -> CallResult:
    return CallResult(placed=True, **dict(item.final.as_dict()))


def task_place(call: CallState, token: str) -> None:
    """State `PlaceCall` (`.waitForTaskToken`): store the token, re-check, place the call.

    When no call is placed the token is completed here with `{"placed": false,
    "disposition": "requeue" | "cancelled" | "failed" | "stale", "reason"}`; otherwise the
    final status callback completes it (`engage.voice.callbacks.status_callback`)."""
    tenant_id, attempt = call.tenant_id, call.attempt
    item = CallQueueItem(*store.item_key(tenant_id, call.campaign_id, call.seq))
    if not store.start_dialing(item, attempt, token):
        # A retried try: the token is new, what happened before decides what happens now.
        if not store.store_token(item, attempt, token):
            _done(
                token, CallResult(placed=False, disposition=Disposition.STALE, reason="superseded")
            )
        elif item.final:  # the provider's final callback is already recorded
            _done(token, _final(item))
        elif not item.call_sid:  # an earlier try died while dialing: never call twice
            _done(
                token,
                CallResult(
                    placed=False, disposition=Disposition.FAILED, reason="placement_unknown"
                ),
            )
        return  # else placed by the earlier try: its callback completes the new token
    campaign = store.get_campaign(tenant_id, call.campaign_id)
    verdict = _may_call(tenant_id, campaign, item)
    if verdict is not None:
        _done(token, verdict)
        return
    adapter = voice_registry.voice_adapter()
    ref = keys.voice_call_ref(tenant_id, call.campaign_id, call.seq, attempt)
    placement = adapter.place_call(
        OutboundCall(
            to=item.phone_e164,
            # a session call (engage/voice/session_calls.py) rings its session's agent
            agent_id=item.agent_id or (campaign.agent_id if campaign else None),
            status_callback_url=callback_url(adapter.name, ref),
            ref=ref,
        )
    )
    logger.info(
        "voice call placed" if placement.placed else "voice call refused",
        extra={"to": mask_phone(item.phone_e164), "ref": ref, "error": placement.error},
    )
    if not placement.placed or not placement.call_sid:
        reason = placement.error or "refused"
        _done(token, CallResult(placed=False, disposition=Disposition.FAILED, reason=reason))
        return
    store.set_call_sid(tenant_id, item, attempt, adapter.name, placement.call_sid)
    if item.final:  # the final callback beat us to the item (it found it by `ref`)
        _done(token, _final(item))


def _may_call(
    tenant_id: str, campaign: VoiceCampaignItem | None, item: CallQueueItem
) -> CallResult | None:
    """None when the call may be placed now; else why not and what to do with the item."""

    def no(disposition: Disposition, reason: str) -> CallResult:
        return CallResult(placed=False, disposition=disposition, reason=reason)

    if campaign is None or campaign.status == "cancelled":
        return no(Disposition.CANCELLED, "campaign_cancelled")
    if campaign.status != "active":
        return no(Disposition.REQUEUE, f"campaign_{campaign.status}")
    _, tz = accounts.account_of(tenant_id)
    if window_state(campaign, tz) != WindowState.OPEN:
        return no(Disposition.REQUEUE, "outside_call_window")
    contact = contact_store.get(tenant_id, item.contact_id)
    if contact is None:
        return no(Disposition.CANCELLED, "contact_deleted")
    if contact.sms_consent == "opted_out":
        return no(Disposition.CANCELLED, "opted_out")
    return None


def classify(status: str, answered_by: str | None) -> VoiceCallOutcome:
    """Our outcome for a final call status: answered, voicemail, no_answer, busy or failed."""
    if status == "completed":
        machine = (answered_by or "").startswith(("machine", "fax"))
        return VoiceCallOutcome.VOICEMAIL if machine else VoiceCallOutcome.ANSWERED
    return {"no-answer": VoiceCallOutcome.NO_ANSWER, "busy": VoiceCallOutcome.BUSY}.get(
        status, VoiceCallOutcome.FAILED
    )


def _call_entry(
    item: CallQueueItem,
    call: CallState,
    status: str,
    outcome: str,
    talk: int,
    answered_by: str | None,
) -> dict[str, Any]:
    """One entry of the item's call log."""
    return {
        "attempt": call.attempt,
        "call_sid": item.call_sid,
        "status": status,
        "outcome": outcome,
        "answered_by": answered_by,
        "talk_seconds": talk,
        "started_at": item.started_at,
        "ended_at": clock.now_iso(),
    }


def task_record(call: CallState) -> dict[str, Any]:
    """State `Record`: apply the call's result (`call.result`, the token's output) or the
    wait's error (`call.error`, e.g. `States.Timeout`) to the queue item."""
    tenant_id, attempt = call.tenant_id, call.attempt
    item = store.get_item(tenant_id, call.campaign_id, call.seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != attempt:
        return {"recorded": False}
    result = call.result

    def finish(status: str, **kwargs: Any) -> dict[str, Any]:
        return {"recorded": transitions.finish(tenant_id, item, attempt, status, **kwargs)}

    if call.error is not None or result is None:
        name = call.error.error if call.error else "NoResult"
        reason = "timeout" if "Timeout" in name else name
        entry = _call_entry(item, call, "failed", "failed", 0, None) if item.call_sid else None
        return finish("failed", outcome="failed", reason=reason, call=entry)
    if not result.placed:
        if result.disposition == Disposition.STALE:
            return {"recorded": False}
        if result.disposition == Disposition.REQUEUE:
            return {"recorded": transitions.unclaim(tenant_id, call.campaign_id, call.seq, attempt)}
        if result.disposition == Disposition.CANCELLED:
            return finish("cancelled", reason=result.reason or "")
        return finish("failed", reason=result.reason or "", outcome="failed")
    status = str(result.status)
    outcome = classify(status, result.answered_by)
    talk = result.talk_seconds if outcome in CONNECTED else 0
    entry = _call_entry(item, call, status, outcome.value, talk, result.answered_by)
    if outcome in CONNECTED:
        return finish("completed", outcome=outcome.value, call=entry)
    campaign = store.get_campaign(tenant_id, call.campaign_id)
    if (
        outcome in (VoiceCallOutcome.NO_ANSWER, VoiceCallOutcome.BUSY)
        and campaign is not None
        and campaign.status in ("active", "paused")
        and attempt < int(campaign.max_attempts)
    ):
        due = clock.iso(clock.now() + timedelta(minutes=int(campaign.retry_delay_minutes)))
        out = finish("queued", outcome=outcome.value, call=entry, retry_at=due)
        return {**out, "retry_at": due}
    return finish("failed", outcome=outcome.value, call=entry)


def task_release(call: CallState) -> dict[str, Any]:
    """State `Release` (every path ends here): give the slot back, then refill free slots."""
    released, started = release_and_pump(call.execution, call.tenant_id)
    return {"released": released, "started": started}
