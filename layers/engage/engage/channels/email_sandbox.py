"""The sandbox e-mail provider: the default for development and tests. It sends nothing and
records every e-mail in an in-process outbox, which the local runtime's `/_local/outbox` page
shows in its "E-mails" section (and `/_local/outbox.json` under `emails`): recipient, sender,
subject, text, HTML and every header field (`List-Unsubscribe` of marketing e-mail,
`In-Reply-To` / `References` of replies). Its `Message-ID` is the e-mail's own when it set
one, else `<providerMessageId@sandbox.engage.invalid>`."""

from __future__ import annotations

from engage.channels.email_base import OutboundEmail, sender_of
from engage.channels.sandbox import Outbox
from engage.core import clock, ids
from engage.core.settings import get_settings

EMAIL_OUTBOX = Outbox(capacity=10_000)


class SandboxEmail:
    """Records instead of sending; every e-mail is accepted."""

    name = "sandbox"

    def __init__(self, outbox: Outbox = EMAIL_OUTBOX) -> None:
        self.outbox = outbox

    def message_id_header(self, provider_message_id: str, email: OutboundEmail) -> str:
        """The `Message-ID` the recipient would see (see the module docstring)."""
        return email.message_id or f"<{provider_message_id}@sandbox.engage.invalid>"

    def send(self, email: OutboundEmail) -> str:
        """Record `email` (status `sent`); returns its sandbox message id."""
        message_id = "SBE" + ids.token(29)
        now = clock.now_iso()
        headers = [("Message-ID", self.message_id_header(message_id, email))]
        headers += [(n, v) for n, v in email.all_headers() if n.lower() != "message-id"]
        self.outbox.add(
            {
                "providerMessageId": message_id,
                "channel": "email",
                "to": email.to,
                "from": sender_of(email, get_settings().email_from_address),
                "replyTo": email.reply_to,
                "subject": email.subject,
                "text": email.text,
                "html": email.html,
                "headers": [{"name": n, "value": v} for n, v in headers],
                "tags": {n: v for n, v in email.tags},
                "status": "sent",
                # the outbox tells tenant and campaign apart by `ref` (local/pages.py)
                "ref": email.ref or email.tenant_id or "",
                "createdAt": now,
                "updatedAt": now,
            }
        )
        return message_id
