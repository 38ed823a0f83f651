"""One-click unsubscribe (RFC 8058; issue 10 "email"): `POST /u/{token}` opts the contact the
token names out of e-mail (only e-mail: SMS and WhatsApp consent stay as they are), with no
login; `GET /u/{token}` only shows a page with a button that posts, because link scanners and
mail clients prefetch GETs. A forged or malformed token is a 404 and changes nothing.
Repeating the POST changes nothing more and answers the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.contacts.consent import ConsentChannel, set_channel_consent
from engage.core.errors import NotFound
from engage.email.tokens import UnsubscribeClaim, read_token

SOURCE = "email_unsubscribe"


@dataclass(frozen=True)
class Unsubscribed:
    """The outcome of a one-click POST: `changed` is False when the contact had already opted
    out (or is gone)."""

    channel: str
    changed: bool


def _claim(token: str) -> UnsubscribeClaim:
    claim = read_token(token)
    if claim is None or claim.channel != ConsentChannel.EMAIL.value:
        raise NotFound("Unsubscribe link not found")
    return claim


def check(token: str) -> None:
    """Raise NotFound unless `token` is a valid e-mail unsubscribe token."""
    _claim(token)


def unsubscribe(token: str) -> Unsubscribed:
    """Opt the token's contact out of e-mail (idempotent); raises NotFound for a bad token."""
    claim = _claim(token)
    try:
        changed = set_channel_consent(
            claim.tenant_id, claim.contact_id, ConsentChannel.EMAIL, "opted_out", SOURCE
        )
    except NotFound:  # the contact was deleted: nobody is left to e-mail
        changed = False
    return Unsubscribed(claim.channel, changed)


_STYLE = (
    "<style>body{font-family:system-ui,sans-serif;margin:3rem auto;max-width:32rem;"
    "padding:0 1rem;color:#222}button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}</style>"
)


def confirmation_page(token: str) -> str:
    """The GET page: a button that POSTs the one-click form to the page's own URL (no
    `action`, so an API stage prefix is kept); the token is checked first, so a bad link gets
    the 404 envelope instead."""
    check(token)
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Unsubscribe</title>{_STYLE}</head><body><h1>Unsubscribe</h1>"
        "<p>Stop receiving these e-mails? Messages on other channels are not affected.</p>"
        '<form method="post">'
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
        '<button type="submit">Unsubscribe</button></form></body></html>'
    )


def done_page() -> str:
    """What a person sees after pressing the button."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><meta name="robots" content="noindex">'
        f"<title>Unsubscribed</title>{_STYLE}</head><body><h1>You are unsubscribed</h1>"
        "<p>You will not receive these e-mails any more.</p></body></html>"
    )
