"""Which e-mail adapter a process uses (EMAIL_PROVIDER: `sandbox`, the default, or `ses`)."""

from __future__ import annotations

from engage.channels.email_base import EmailAdapter
from engage.core.settings import get_settings


def email_adapter() -> EmailAdapter:
    """The configured adapter (cheap to make: one per e-mail is fine)."""
    settings = get_settings()
    if settings.email_provider == "ses":
        from engage.channels.email_ses import SesEmail

        return SesEmail(settings)
    from engage.channels.email_sandbox import SandboxEmail

    return SandboxEmail()
