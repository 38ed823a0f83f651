"""Call-status callbacks (issue 3 "Providers and webhooks"): a provider's call-progress
events, applied to the call's queue item in `SequenceNumber` order, exactly once; the final
one completes the call's waiting execution (PlaceCall's task token). Twilio's parameters:
https://www.twilio.com/docs/voice/api/call-resource#statuscallback."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from engage.channels.voice_base import FINAL_STATUSES, STATUS_RANK
from engage.channels.voice_sandbox import CALL_OUTBOX
from engage.core import keys
from engage.core.errors import ValidationFailed
from engage.voice import store, tokens
from engage.voice.models import CallQueueItem
from engage.voice.task_models import CallResult


class CallbackSkip(StrEnum):
    """Why a callback changed nothing."""

    UNKNOWN_CALL = "unknown call"
    DUPLICATE = "duplicate or out of order"


class VoiceCallbackResult(BaseModel):
    """What one callback did: `applied`, the call `status` it carried, and `reason` when it
    changed nothing."""

    applied: bool
    status: str
    reason: CallbackSkip | None = None


def _locate(provider: str, call_sid: str, ref: str | None) -> tuple[CallQueueItem, int] | None:
    """(item, attempt) for a callback: by our `ref` when present, else by call id."""
    if ref:
        parsed = keys.parse_voice_call_ref(ref)
        if parsed is None:
            return None
        tenant_id, campaign_id, seq, attempt = parsed
        item = store.get_item(tenant_id, campaign_id, seq)
        return (item, attempt) if item else None
    for tenant_id, campaign_id, seq in store.items_by_call_sid(provider, call_sid):
        item = store.get_item(tenant_id, campaign_id, seq)
        if item is not None and item.call_sid == call_sid:
            return item, int(item.attempts)
    return None


def status_callback(provider: str, params: dict[str, str], ref: str | None) -> VoiceCallbackResult:
    """Apply one call-progress callback (Twilio's form parameters `CallSid`, `CallStatus`,
    `SequenceNumber`, `CallDuration`, `AnsweredBy`). Idempotent and order-proof: a callback
    whose `SequenceNumber` is not above the last one applied changes nothing. The final status
    completes the waiting execution's task token; earlier ones send heartbeats. ValidationFailed
    (400) without a CallSid or with an unknown CallStatus."""
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
        return VoiceCallbackResult(applied=False, status=status, reason=CallbackSkip.UNKNOWN_CALL)
    item, attempt = found
    final = None
    if status in FINAL_STATUSES:
        duration = params.get("CallDuration") or "0"
        final = {
            "status": status,
            "talk_seconds": int(duration) if duration.isdigit() else 0,
            "answered_by": params.get("AnsweredBy") or None,
            "call_sid": call_sid,
        }
    if not store.apply_callback(item, attempt, call_sid, status, sequence, final):
        return VoiceCallbackResult(applied=False, status=status, reason=CallbackSkip.DUPLICATE)
    if provider == "sandbox":
        CALL_OUTBOX.set_status(call_sid, status)
    if item.task_token:
        if final is not None:
            result = CallResult.model_validate({"placed": True, **final})
            tokens.succeed(item.task_token, result.model_dump(exclude_none=True))
        else:
            tokens.heartbeat(item.task_token)
    return VoiceCallbackResult(applied=True, status=status)
