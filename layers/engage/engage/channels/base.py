"""The SMS provider adapter interface (DESIGN.md section 5, "Providers")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutboundSms:
    """One message to hand to a provider. `ref` is our message reference
    (`<tenantId>|<pk>|<sk>`), echoed back on receipts where the provider allows it."""

    to: str
    body: str
    sender: str | None
    ref: str


@dataclass(frozen=True)
class SendResult:
    """What the provider said: accepted (`sent`) with its message id, or `failed` with a code."""

    status: str  # sent | failed
    provider_message_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Receipt:
    """A delivery receipt normalised from a provider callback."""

    provider: str
    provider_message_id: str
    status: str  # delivered | undelivered | (intermediate states are ignored)
    error: str | None = None
    ref: str | None = None


class SmsAdapter(Protocol):
    """A provider: `send` one message; `flush` after a batch (the sandbox simulates receipts
    there). Adapters never raise for a message the provider refused: they return `failed`."""

    name: str

    def send(self, message: OutboundSms) -> SendResult:
        """Hand one message to the provider."""
        ...

    def flush(self) -> list[Receipt]:
        """Receipts the provider produced synchronously (sandbox only); [] for real ones."""
        ...
