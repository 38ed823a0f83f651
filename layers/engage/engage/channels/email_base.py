"""The e-mail provider adapter interface (DESIGN.md section 5, "Providers"; issue 9: team
invitations are e-mailed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutboundEmail:
    """One e-mail to hand to a provider: one recipient, a subject, a plain-text body and an
    HTML one. `tenant_id` says whose it is (the sandbox outbox filters by it; SES tags it)."""

    to: str
    subject: str
    text: str
    html: str
    tenant_id: str | None = None


class EmailRefused(Exception):
    """The provider did not accept the e-mail (`reason` is the provider's code, never the
    body or the address)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailAdapter(Protocol):
    """A provider that sends one e-mail at a time."""

    name: str

    def send(self, email: OutboundEmail) -> str:
        """Hand `email` to the provider; returns the provider's message id. Raises
        EmailRefused when the provider does not take it."""
        ...
