"""Twilio WhatsApp adapter, on Twilio's official Python SDK (same account, credentials and
webhook signature check as SMS: `channels/twilio_sms.py`).

Sends with `client.messages.create` (https://www.twilio.com/docs/whatsapp/api): both addresses
carry the `whatsapp:` prefix; a template goes as `content_sid` with `content_variables` as a
JSON string (Content API, https://www.twilio.com/docs/content/send-templates-created-with-the-
content-template-builder); free-form text as `body`. The sender is
TWILIO_WHATSAPP_MESSAGING_SERVICE_SID when set, else the message's `sender` or
TWILIO_WHATSAPP_FROM_NUMBER. Each message carries a StatusCallback to
`/webhooks/twilio/whatsapp/status?ref=<our reference>`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from engage.channels.base import Receipt, SendResult
from engage.channels.twilio_sms import create_message, twilio_client
from engage.channels.whatsapp_base import OutboundWhatsApp
from engage.core.settings import Settings

PREFIX = "whatsapp:"
STATUS_PATH = "/webhooks/twilio/whatsapp/status"
NO_SENDER = "no WhatsApp sender: set TWILIO_WHATSAPP_FROM_NUMBER or a messaging service"


def address(e164: str) -> str:
    """`+14155550123` -> `whatsapp:+14155550123` (kept as is when already prefixed)."""
    return e164 if e164.startswith(PREFIX) else PREFIX + e164


def strip_address(value: str) -> str:
    """`whatsapp:+14155550123` -> `+14155550123` (anything else unchanged)."""
    return value[len(PREFIX) :] if value.startswith(PREFIX) else value


class TwilioWhatsApp:
    """Sends through Twilio; `http_client` lets tests replace HTTP below the SDK."""

    name = "twilio"

    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        self.settings = settings
        self.client = twilio_client(settings, http_client)

    def send(self, message: OutboundWhatsApp) -> SendResult:
        """One `messages.create` call; a TwilioRestException becomes a `failed` result."""
        kwargs: dict[str, Any] = {
            "to": address(message.to),
            "status_callback": f"{self.settings.callback_base_url}{STATUS_PATH}"
            f"?ref={quote(message.ref, safe='')}",
        }
        if message.content_sid:
            kwargs["content_sid"] = message.content_sid
            if message.content_variables:
                kwargs["content_variables"] = json.dumps(
                    message.content_variables, separators=(",", ":"), ensure_ascii=False
                )
        else:
            kwargs["body"] = message.body or ""
        if self.settings.twilio_whatsapp_messaging_service_sid:
            kwargs["messaging_service_sid"] = self.settings.twilio_whatsapp_messaging_service_sid
        elif message.sender or self.settings.twilio_whatsapp_from_number:
            kwargs["from_"] = address(
                message.sender or str(self.settings.twilio_whatsapp_from_number)
            )
        else:
            return SendResult("failed", None, NO_SENDER)
        return create_message(self.client, kwargs)

    def flush(self) -> list[Receipt]:
        """Twilio's receipts arrive on the status webhook."""
        return []
