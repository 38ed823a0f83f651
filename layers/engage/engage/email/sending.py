"""What the e-mail channel's senders share (marketing.py, replies.py): the tenant's sender
identity and one hand-over to the configured adapter that never raises for a refusal.

The sender identity is the tenant's e-mail channel configuration
(`engage.integrations.service.channel_config(tenant_id, "email")`: `from_address`,
`from_name`, `reply_to`, set by `POST /channels/email/configure`) where there is one, else
EMAIL_FROM_ADDRESS (a verified SES identity) with no name and no Reply-To.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from engage.channels.base import SendResult
from engage.channels.email_base import EmailRefused, OutboundEmail
from engage.channels.email_registry import email_adapter
from engage.core.observability import logger

# An address as we accept it to send to: one `local@domain`, no blanks, no list, no brackets.
_ADDRESS = re.compile(
    r"^[^\s@<>,;:\"()\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"
)


@dataclass(frozen=True)
class SenderIdentity:
    """Who an e-mail is from: `from_address` (None: EMAIL_FROM_ADDRESS), `from_name`,
    `reply_to`."""

    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None


def is_address(value: str) -> bool:
    """Whether `value` is one plain e-mail address we would send to."""
    return len(value) <= 254 and _ADDRESS.match(value) is not None


def _field(config: Any, name: str) -> str | None:
    value = config.get(name) if isinstance(config, dict) else getattr(config, name, None)
    return value if isinstance(value, str) and value else None


def sender_identity(tenant_id: str) -> SenderIdentity:
    """The tenant's sender identity (see the module docstring)."""
    try:
        service = importlib.import_module("engage.integrations.service")
    except ImportError:  # the integrations domain is not deployed with this build
        return SenderIdentity()
    config = service.channel_config(tenant_id, "email")
    if not config:
        return SenderIdentity()
    return SenderIdentity(
        _field(config, "from_address"), _field(config, "from_name"), _field(config, "reply_to")
    )


@dataclass(frozen=True)
class Delivered:
    """The adapter's answer (`result`) and, when it took the e-mail, the `Message-ID` the
    recipient sees (`message_id`)."""

    result: SendResult
    message_id: str | None = None


def deliver(email: OutboundEmail) -> Delivered:
    """Hand `email` to the configured adapter (EMAIL_PROVIDER); a refusal is a `failed`
    result with the provider's code, never an exception."""
    adapter = email_adapter()
    try:
        provider_id = adapter.send(email)
    except EmailRefused as exc:
        logger.warning("e-mail refused", extra={"provider": adapter.name, "reason": exc.reason})
        return Delivered(SendResult("failed", error=exc.reason[:100]))
    return Delivered(SendResult("sent", provider_id), adapter.message_id_header(provider_id, email))
