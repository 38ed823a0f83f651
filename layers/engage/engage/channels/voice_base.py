"""The voice provider adapter interface (issue 3 "Providers and webhooks"; DESIGN.md section 5).

An adapter places one outbound call and reports progress later through the call-status
webhook (`POST /webhooks/voice/{provider}/status`) with Twilio's parameters: `CallSid`,
`CallStatus`, `SequenceNumber`, `CallDuration`, `AnsweredBy`
(https://www.twilio.com/docs/voice/api/call-resource#statuscallback). Adapters: the sandbox
(`engage.channels.voice_sandbox`) and Twilio (`engage.channels.twilio_voice`); which one a
process uses is `engage.channels.voice_registry.voice_adapter` (VOICE_PROVIDER).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Twilio call statuses after which no further callback comes."""

STATUS_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "answered": 3,
    **dict.fromkeys(FINAL_STATUSES, 4),
}
"""Every call status a callback may carry, ranked in the order Twilio sends them (the rank is
the sequence number used when a callback carries none)."""


@dataclass(frozen=True)
class OutboundCall:
    """One call to place. `ref` (`<tenantId>.<queueItemId>.<attempt>`, `keys.voice_call_ref`)
    is echoed in the status-callback URL, so callbacks find their queue item even before the
    call id is stored."""

    to: str
    agent_id: str | None
    status_callback_url: str
    ref: str


@dataclass(frozen=True)
class CallPlacement:
    """The provider's answer: `placed` with its call id, or not placed with an error."""

    placed: bool
    call_sid: str | None = None
    error: str | None = None


class VoiceAdapter(Protocol):
    """A voice provider. `place_call` never raises for a call the provider refused."""

    name: str

    def place_call(self, call: OutboundCall) -> CallPlacement:
        """Start one outbound call; progress arrives on the status webhook."""
        ...

    def fetch_status(self, call_sid: str, to: str) -> dict[str, str] | None:
        """The call's current state as the provider knows it, in the status webhook's
        parameters (`CallSid`, `CallStatus`, `CallDuration`, `AnsweredBy`), or None when the
        provider does not know the call. Used by the reaper when a callback was lost."""
        ...
