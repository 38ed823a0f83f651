"""Which WhatsApp adapter a process uses (WHATSAPP_PROVIDER: `sandbox`, the default, or
`twilio`)."""

from __future__ import annotations

from engage.channels.whatsapp_base import WhatsAppAdapter
from engage.core.settings import get_settings


def whatsapp_adapter() -> WhatsAppAdapter:
    """A fresh adapter for one message or batch (the sandbox holds its pending receipts)."""
    settings = get_settings()
    if settings.whatsapp_provider == "twilio":
        from engage.channels.twilio_whatsapp import TwilioWhatsApp

        return TwilioWhatsApp(settings)
    from engage.channels.whatsapp_sandbox import SandboxWhatsApp

    return SandboxWhatsApp()
