"""The e-mail provider adapter interface (DESIGN.md section 5, "Providers"; issue 9: team
invitations are e-mailed)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from typing import Protocol


@dataclass(frozen=True)
class OutboundEmail:
    """One e-mail to hand to a provider: one recipient, a subject, a plain-text body and an
    HTML one. `tenant_id` says whose it is (the sandbox outbox filters by it; SES tags it
    `tenant_id`, which the bounce and complaint events carry back: engage/email/events.py).

    The rest is optional (issue 10, e-mail as a channel):
    - `headers`: extra header fields, `(name, value)` pairs in order (`List-Unsubscribe`,
      `List-Unsubscribe-Post` of RFC 8058; `In-Reply-To` and `References` of RFC 5322 3.6.4
      go in `in_reply_to` / `references` instead);
    - `from_address` / `from_name` / `reply_to`: the sender identity, else EMAIL_FROM_ADDRESS;
    - `message_id`: our own `Message-ID` (`<...@...>`), so replies can be threaded by it;
    - `tags`: provider tags (SES `EmailTags`: names and values of ASCII letters, digits,
      `_ - . @` only, 256 characters at most), e.g. `campaign_id`;
    - `ref`: our reference of the campaign message (`<tenantId>|<pk>|<sk>`), shown locally."""

    to: str
    subject: str
    text: str
    html: str
    tenant_id: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    ref: str | None = None

    def all_headers(self) -> list[tuple[str, str]]:
        """`headers` plus `Message-ID`, `In-Reply-To` and `References` when set."""
        out = list(self.headers)
        if self.message_id:
            out.append(("Message-ID", self.message_id))
        if self.in_reply_to:
            out.append(("In-Reply-To", self.in_reply_to))
        if self.references:
            out.append(("References", " ".join(self.references)))
        return out


def sender_of(email: OutboundEmail, default: str) -> str:
    """`From` of `email`: `from_name <from_address>` (RFC 2047-encoded when not ASCII), the
    bare `from_address`, else `default` (EMAIL_FROM_ADDRESS)."""
    if not email.from_address:
        return default
    if not email.from_name:
        return email.from_address
    return formataddr((email.from_name, email.from_address), charset="utf-8")


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

    def message_id_header(self, provider_message_id: str, email: OutboundEmail) -> str:
        """The `Message-ID` header the recipient sees on the e-mail sent as
        `provider_message_id` (what their reply's `In-Reply-To` will name)."""
        ...
