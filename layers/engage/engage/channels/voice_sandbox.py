"""The sandbox voice provider: the default for development and tests.

It records each call in an in-process outbox (the local runtime's `/_local/outbox` page) and
delivers the callbacks a real provider would send through the `VOICE_SANDBOX_QUEUE_URL` SQS
queue (`engage.channels.voice_sandbox_queue`), the final one delayed by `SANDBOX_CALL_SECONDS`
of wall-clock time; the `VoiceSandboxFunction` worker feeds them to the same handler the
webhook uses. The outcome is decided by the number's last digit, so tests can rely on it:

| last digit | outcome | reported talk time |
|---|---|---|
| 0-5 | answered by a person (`completed`, `AnsweredBy=human`) | 20-179 s |
| 6 | voicemail (`completed`, `AnsweredBy=machine_end_beep`) | 15-44 s |
| 7 | `no-answer` | 0 |
| 8 | `busy` | 0 |
| 9 | `failed` | 0 |

Twilio's test-credential number `+15005550001` (invalid) is refused at placement, as Twilio does.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from engage.channels import voice_sandbox_queue
from engage.channels.sandbox import Outbox
from engage.channels.voice_base import CallPlacement, OutboundCall
from engage.core import clock, ids
from engage.core.settings import get_settings

REFUSED = {"+15005550001": "21217 phone number is not a valid phone number"}


def sandbox_plan(phone_e164: str) -> dict[str, Any]:
    """The sandbox's deterministic outcome for a number (table in the module docstring):
    `{"status", "answered_by", "talk_seconds"}`."""
    digit = int(phone_e164[-1]) if phone_e164[-1:].isdigit() else 0
    spread = zlib.crc32(phone_e164.encode())
    if digit <= 5:
        return {"status": "completed", "answered_by": "human", "talk_seconds": 20 + spread % 160}
    if digit == 6:
        return {
            "status": "completed",
            "answered_by": "machine_end_beep",
            "talk_seconds": 15 + spread % 30,
        }
    status = {7: "no-answer", 8: "busy", 9: "failed"}[digit]
    return {"status": status, "answered_by": None, "talk_seconds": 0}


CALL_OUTBOX = Outbox(capacity=20_000, key="callSid")


def sandbox_callbacks(call_sid: str, to: str) -> list[tuple[int, dict[str, str]]]:
    """The callbacks the sandbox sends for a call, as `(delay seconds, Twilio form params)`:
    `initiated` and `ringing` at once, `in-progress` after a second when answered, and the
    final status after SANDBOX_CALL_SECONDS."""
    plan = sandbox_plan(to)
    seconds = get_settings().sandbox_call_seconds
    base = {"CallSid": call_sid, "To": to, "Direction": "outbound-api", "ApiVersion": "2010-04-01"}
    out = [
        (0, {**base, "CallStatus": "initiated", "SequenceNumber": "0"}),
        (0, {**base, "CallStatus": "ringing", "SequenceNumber": "1"}),
    ]
    if plan["status"] == "completed":
        out.append((min(1, seconds), {**base, "CallStatus": "in-progress", "SequenceNumber": "2"}))
    final = {
        **base,
        "CallStatus": plan["status"],
        "SequenceNumber": "3",
        "CallDuration": str(plan["talk_seconds"]),
    }
    if plan["answered_by"]:
        final["AnsweredBy"] = plan["answered_by"]
    out.append((seconds, final))
    return out


class SandboxVoice:
    """Records instead of calling and simulates the provider's callbacks (module docstring)."""

    name = "sandbox"

    def __init__(self, outbox: Outbox = CALL_OUTBOX) -> None:
        self.outbox = outbox

    def place_call(self, call: OutboundCall) -> CallPlacement:
        """Record the call and queue its simulated callbacks."""
        if call.to in REFUSED:
            return CallPlacement(False, error=REFUSED[call.to])
        call_sid = "CA" + ids.new_id().lower()
        plan = sandbox_plan(call.to)
        self.outbox.add(
            {
                "callSid": call_sid,
                "to": call.to,
                "agentId": call.agent_id,
                "ref": call.ref,
                "status": "initiated",
                "plannedOutcome": plan["status"]
                + (f" ({plan['answered_by']})" if plan["answered_by"] else ""),
                "talkSeconds": plan["talk_seconds"],
                "createdAt": clock.now_iso(),
                "updatedAt": clock.now_iso(),
            }
        )
        entries = [
            {
                "Id": str(i),
                "MessageBody": json.dumps({"ref": call.ref, "params": params}),
                "DelaySeconds": delay,
            }
            for i, (delay, params) in enumerate(sandbox_callbacks(call_sid, call.to))
        ]
        voice_sandbox_queue.send(entries)
        return CallPlacement(True, call_sid=call_sid)

    def fetch_status(self, call_sid: str, to: str) -> dict[str, str] | None:
        """What the sandbox's callbacks say by now, worked out from the call alone (any
        process can answer, as Twilio's API would): the call id holds its placement time and
        the number decides the outcome, final SANDBOX_CALL_SECONDS after placement."""
        try:
            placed_ms = ids.id_time_ms(call_sid[2:])
        except ValueError:
            return None
        elapsed = (clock.now_ms() - placed_ms) / 1000
        for delay, params in reversed(sandbox_callbacks(call_sid, to)):
            if elapsed >= delay:
                return {k: v for k, v in params.items() if k != "SequenceNumber"}
        return None
