"""Marketing e-mail with RFC 8058 one-click unsubscribe (issue 10 "email"; Gmail's and
Yahoo's bulk-sender requirements, 2024).

`send_marketing` refuses, with no provider call, an address on the tenant's suppression list
(hard bounces and complaints: events.py) and a contact whose `emailConsent` is `opted_out`,
as read for the whole send batch at once (`screen`).
Otherwise every e-mail carries
    List-Unsubscribe: <PUBLIC_BASE_URL/u/<token>>[, <mailto:...?subject=unsubscribe%20<token>>]
    List-Unsubscribe-Post: List-Unsubscribe=One-Click
where the token (tokens.py) names tenant, contact, campaign and channel, so a POST to the URL
opts that contact out of e-mail with no login (unsubscribe.py). The mailto part is there only
when EMAIL_UNSUBSCRIBE_MAILTO is set. SES tags the e-mail `tenant_id`, `campaign_id`,
`contact_id` and `ref` (our message reference, base64url), which bounce and complaint events
carry back (events.py). RFC 8058: https://www.rfc-editor.org/rfc/rfc8058
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from engage.channels.base import SendResult
from engage.channels.email_base import OutboundEmail
from engage.contacts import store as contacts_store
from engage.contacts.consent import ConsentChannel, consent_of
from engage.core.settings import get_settings
from engage.email import store
from engage.email.sending import SenderIdentity, deliver, is_address, sender_identity
from engage.email.tokens import make_token

MAX_TAG_CHARS = 256  # SES v2 `MessageTag.Value`


def unsubscribe_url(token: str) -> str:
    """The one-click URL of a token (PUBLIC_BASE_URL + `/u/<token>`)."""
    return f"{get_settings().public_base_url}/u/{token}"


def unsubscribe_headers(token: str) -> tuple[tuple[str, str], ...]:
    """`List-Unsubscribe` (https, plus mailto when configured) and `List-Unsubscribe-Post`."""
    targets = [f"<{unsubscribe_url(token)}>"]
    mailto = get_settings().email_unsubscribe_mailto
    if mailto:
        targets.append(f"<mailto:{mailto}?subject={quote('unsubscribe ' + token)}>")
    return (
        ("List-Unsubscribe", ", ".join(targets)),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )


def ref_tag(ref: str) -> str | None:
    """`ref` as an SES tag value (base64url, unpadded), or None when it would not fit."""
    value = base64.urlsafe_b64encode(ref.encode()).rstrip(b"=").decode()
    return value if ref and len(value) <= MAX_TAG_CHARS else None


def read_ref_tag(value: str) -> str | None:
    """The `ref` a `ref_tag` value holds, or None when it is not one."""
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class Screening:
    """What marketing e-mails are checked against before they go, read once per send batch
    (`screen`): the batch's `suppressed` addresses (lower-cased), the `consents`
    (`emailConsent`, or `unknown`) of its contacts that still exist, and the tenant's sender
    `identity`."""

    suppressed: frozenset[str]
    consents: Mapping[str, str]
    identity: SenderIdentity


def screen(tenant_id: str, recipients: Iterable[tuple[str, str]]) -> Screening:
    """The `Screening` of `(contact_id, address)` recipients: one BatchGetItem of their
    suppression entries and one of their contacts per 100, one read of the sender identity."""
    wanted = list(recipients)
    contacts = contacts_store.batch_get(tenant_id, {c for c, _ in wanted})
    consents = {cid: consent_of(c, ConsentChannel.EMAIL) for cid, c in contacts.items()}
    return Screening(
        frozenset(store.suppressed_among(tenant_id, [a for _, a in wanted])),
        consents,
        sender_identity(tenant_id),
    )


def _refusal(screening: Screening, contact_id: str, to: str) -> str | None:
    """Why the e-mail must not go out, or None."""
    if not is_address(to):
        return "invalid_address"
    if to.lower() in screening.suppressed:
        return "suppressed"
    consent = screening.consents.get(contact_id)
    if consent is None:
        return "unknown_contact"
    if consent == "opted_out":
        return "opted_out"
    return None


def send_marketing(
    tenant_id: str,
    contact_id: str,
    to: str,
    subject: str,
    html: str,
    text: str,
    campaign_id: str,
    ref: str,
    screening: Screening | None = None,
) -> SendResult:
    """Send one marketing e-mail of campaign `campaign_id` to contact `contact_id` at `to`
    (see the module docstring). Returns `sent` with the provider's message id, or `failed`
    with `error` = `invalid_address` | `suppressed` | `unknown_contact` | `opted_out` (no
    provider call) or the provider's refusal code. Never raises for a refusal. `screening`
    is the send batch's (`screen`), read here for this one e-mail when not given."""
    to = to.strip()
    if screening is None:
        screening = screen(tenant_id, [(contact_id, to)])
    refused = _refusal(screening, contact_id, to)
    if refused:
        return SendResult("failed", error=refused)
    identity = screening.identity
    tags = [("campaign_id", campaign_id), ("contact_id", contact_id)]
    encoded = ref_tag(ref)
    if encoded:
        tags.append(("ref", encoded))
    email = OutboundEmail(
        to=to,
        subject=subject,
        text=text,
        html=html,
        tenant_id=tenant_id,
        headers=unsubscribe_headers(make_token(tenant_id, contact_id, campaign_id)),
        from_address=identity.from_address,
        from_name=identity.from_name,
        reply_to=identity.reply_to,
        tags=tuple(tags),
        ref=ref or None,
    )
    return deliver(email).result
