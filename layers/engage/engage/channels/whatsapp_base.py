"""The WhatsApp provider adapter interface (issue 10 "Channel adapters"; DESIGN.md section 5,
"Providers"), beside the SMS one (`channels/base.py`, whose `SendResult` and `Receipt` it
shares).

A WhatsApp message is free-form text (`body`) or an approved template (`content_sid`, Twilio
Content API `HX...`, with `content_variables` for its placeholders). Whether it may be sent at
all (the 24-hour customer-service window, WhatsApp consent) is decided before an adapter is
called: `engage.whatsapp.service.check_send`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from engage.channels.base import Receipt, SendResult


@dataclass(frozen=True)
class OutboundWhatsApp:
    """One WhatsApp message. `to`: E.164 (no `whatsapp:` prefix; the adapter adds it);
    `body` for free-form text, or `content_sid` (+ `content_variables`, placeholder name ->
    value) for a template; `sender`: the business's WhatsApp number (E.164) or None for the
    configured one; `ref`: our reference echoed on status callbacks (`<tenantId>|<PK>|<SK>`);
    `tenant_id`: whose message (the sandbox outbox filters by it)."""

    to: str
    body: str | None = None
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None
    sender: str | None = None
    ref: str = ""
    tenant_id: str | None = None


class WhatsAppAdapter(Protocol):
    """A provider: `send` one message; `flush` the receipts it produced synchronously (the
    sandbox's simulated `sent` / `delivered` / `read`). Adapters never raise for a message the
    provider refused: they return a `failed` SendResult with the provider's code."""

    name: str

    def send(self, message: OutboundWhatsApp) -> SendResult:
        """Hand one message to the provider."""
        ...

    def flush(self) -> list[Receipt]:
        """Receipts produced since the last flush (sandbox only); [] for real providers."""
        ...
