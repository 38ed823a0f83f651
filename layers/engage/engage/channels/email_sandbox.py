"""The sandbox e-mail provider: the default for development and tests. It sends nothing and
records every e-mail in an in-process outbox, which the local runtime's `/_local/outbox` page
shows in its "E-mails" section (and `/_local/outbox.json` under `emails`)."""

from __future__ import annotations

from engage.channels.email_base import OutboundEmail
from engage.channels.sandbox import Outbox
from engage.core import clock, ids

EMAIL_OUTBOX = Outbox(capacity=10_000)


class SandboxEmail:
    """Records instead of sending; every e-mail is accepted."""

    name = "sandbox"

    def __init__(self, outbox: Outbox = EMAIL_OUTBOX) -> None:
        self.outbox = outbox

    def send(self, email: OutboundEmail) -> str:
        """Record `email` (status `sent`); returns its sandbox message id."""
        message_id = "SBE" + ids.token(29)
        now = clock.now_iso()
        self.outbox.add(
            {
                "providerMessageId": message_id,
                "channel": "email",
                "to": email.to,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "status": "sent",
                "ref": email.tenant_id or "",
                "createdAt": now,
                "updatedAt": now,
            }
        )
        return message_id
