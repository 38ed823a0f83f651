"""Which voice adapter a process uses (VOICE_PROVIDER), as `registry.py` is for SMS."""

from __future__ import annotations

from engage.channels.voice_base import VoiceAdapter
from engage.core.settings import get_settings


def voice_adapter() -> VoiceAdapter:
    """The adapter VOICE_PROVIDER names: `twilio`, else the sandbox."""
    settings = get_settings()
    if settings.voice_provider == "twilio":
        from engage.channels.twilio_voice import TwilioVoice

        return TwilioVoice(settings)
    from engage.channels.voice_sandbox import SandboxVoice

    return SandboxVoice()
