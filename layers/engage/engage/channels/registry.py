"""Which SMS adapter a process uses (SMS_PROVIDER)."""

from __future__ import annotations

from engage.channels.base import SmsAdapter
from engage.core.settings import get_settings


def sms_adapter() -> SmsAdapter:
    """A fresh adapter for one batch (adapters hold per-batch state such as pending receipts)."""
    settings = get_settings()
    if settings.sms_provider == "twilio":
        from engage.channels.twilio_sms import TwilioSms

        return TwilioSms(settings)
    from engage.channels.sandbox import SandboxSms

    return SandboxSms()
