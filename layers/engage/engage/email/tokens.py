"""Unsubscribe tokens (RFC 8058 one-click unsubscribe; issue 10 "email").

A token names a tenant, a contact, a campaign and a channel, and is signed, so `/u/{token}`
needs no login and no stored state: `v1.<payload>.<mac>`, where payload is the base64url
(unpadded) of `tenant|contact|campaign|channel` and mac the first 16 bytes of
HMAC-SHA256(key, "v1." + payload), base64url. The key is derived from the identity master
secret (engage/account/master_secret_store.py), HMAC-SHA256(master, "email-unsubscribe:v1"),
so no new secret is stored; rotating the master secret invalidates earlier links. Tokens do
not expire: RFC 8058 asks that the link keep working for as long as mail may be read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache

from engage.account.master_secret_store import master_secret

VERSION = "v1"
MAC_BYTES = 16
MAX_TOKEN_CHARS = 400
_FIELD_MAX = 64


@dataclass(frozen=True)
class UnsubscribeClaim:
    """What a valid token names."""

    tenant_id: str
    contact_id: str
    campaign_id: str
    channel: str


@lru_cache(maxsize=1)
def _key() -> bytes:
    return hmac.new(master_secret(), b"email-unsubscribe:v1", hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(signed: str) -> str:
    return _b64(hmac.new(_key(), signed.encode(), hashlib.sha256).digest()[:MAC_BYTES])


def _clean(value: str) -> bool:
    return 0 < len(value) <= _FIELD_MAX and value.isascii() and "|" not in value


def make_token(tenant_id: str, contact_id: str, campaign_id: str, channel: str = "email") -> str:
    """A signed token for `/u/{token}`. Raises ValueError for a field that is empty, not ASCII,
    longer than 64 characters or holds `|`."""
    fields = (tenant_id, contact_id, campaign_id, channel)
    if not all(_clean(f) for f in fields):
        raise ValueError("unsubscribe token fields must be short ASCII ids")
    payload = _b64("|".join(fields).encode())
    signed = f"{VERSION}.{payload}"
    return f"{signed}.{_mac(signed)}"


def read_token(token: str) -> UnsubscribeClaim | None:
    """The claim of a valid token, or None for anything else (forged, truncated, another
    version, garbage); the MAC is compared in constant time before the payload is read."""
    if len(token) > MAX_TOKEN_CHARS or not token.isascii():
        return None
    version, _, rest = token.partition(".")
    payload, _, mac = rest.partition(".")
    if version != VERSION or not payload or not mac:
        return None
    if not hmac.compare_digest(_mac(f"{version}.{payload}"), mac):
        return None
    try:
        fields = _unb64(payload).decode("ascii").split("|")  # signed by us: our own layout
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if len(fields) != 4 or not all(_clean(f) for f in fields):
        return None
    return UnsubscribeClaim(*fields)
