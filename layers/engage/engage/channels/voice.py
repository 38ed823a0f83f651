"""Voice provider adapters: the names other modules imported from here before the interface
(`voice_base`), the sandbox (`voice_sandbox`) and the factory (`voice_registry`) were split
(issue 8). New code imports from those modules."""

from __future__ import annotations

from engage.channels.voice_base import (
    FINAL_STATUSES,
    STATUS_RANK,
    CallPlacement,
    OutboundCall,
    VoiceAdapter,
)
from engage.channels.voice_registry import voice_adapter
from engage.channels.voice_sandbox import (
    CALL_OUTBOX,
    REFUSED,
    SandboxVoice,
    sandbox_callbacks,
    sandbox_plan,
)

__all__ = [
    "CALL_OUTBOX",
    "FINAL_STATUSES",
    "REFUSED",
    "STATUS_RANK",
    "CallPlacement",
    "OutboundCall",
    "SandboxVoice",
    "VoiceAdapter",
    "sandbox_callbacks",
    "sandbox_plan",
    "voice_adapter",
]
