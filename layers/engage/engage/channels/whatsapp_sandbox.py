"""The sandbox WhatsApp provider: the default for development and tests.

Records every message in the sandbox outbox the SMS sandbox uses (`channels/sandbox.py`
`OUTBOX`, `channel: "whatsapp"`), which the local runtime's `/_local/outbox` shows; refuses
Twilio's magic test numbers as the SMS sandbox does; simulates the `sent`, `delivered` and
`read` status callbacks Twilio posts for an accepted WhatsApp message
(https://www.twilio.com/docs/whatsapp/api#monitor-the-status-of-your-whatsapp-outbound-message).
A template is recorded with its content SID and variables (the sandbox has no template text).
"""

from __future__ import annotations

import json

from engage.channels.base import Receipt, SendResult
from engage.channels.sandbox import MAGIC_FAILURES, OUTBOX, Outbox
from engage.channels.whatsapp_base import OutboundWhatsApp
from engage.core import clock, ids

SIMULATED = ("sent", "delivered", "read")


def shown_body(message: OutboundWhatsApp) -> str:
    """What the outbox shows as the body: the text, or `[template HX...] {variables}`."""
    if message.content_sid:
        variables = json.dumps(message.content_variables or {}, ensure_ascii=False)
        return f"[template {message.content_sid}] {variables}"
    return message.body or ""


class SandboxWhatsApp:
    """Records instead of sending; see the module docstring."""

    name = "sandbox"

    def __init__(self, outbox: Outbox = OUTBOX) -> None:
        self.outbox = outbox
        self._pending: list[Receipt] = []

    def send(self, message: OutboundWhatsApp) -> SendResult:
        """Accept (and record) the message, or fail it like Twilio's magic numbers."""
        pid = "SBWA" + ids.token(28)
        error = MAGIC_FAILURES.get(message.to)
        status = "failed" if error else "sent"
        now = clock.now_iso()
        self.outbox.add(
            {
                "providerMessageId": pid,
                "channel": "whatsapp",
                "to": message.to,
                "from": message.sender,
                "body": shown_body(message),
                "contentSid": message.content_sid,
                "status": status,
                "error": error,
                "ref": message.ref,
                "createdAt": now,
                "updatedAt": now,
            }
        )
        if error:
            return SendResult("failed", pid, error)
        self._pending += [Receipt("sandbox", pid, s, None, message.ref) for s in SIMULATED]
        return SendResult("sent", pid)

    def flush(self) -> list[Receipt]:
        """The simulated receipts of everything accepted since the last flush, in order."""
        out, self._pending = self._pending, []
        return out
