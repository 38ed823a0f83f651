"""Checks of channel settings (issue 10 `POST /channels/{channelType}/configure`): E.164
numbers (phonenumbers), Twilio account SIDs, e-mail addresses, Shopify shop domains, and
webhook URLs that cannot reach inside our network (SSRF, OWASP "Server Side Request Forgery
Prevention"): https only, no credentials in the URL, no literal IP address, no `localhost`,
and a host whose every address is public (`ipaddress`: not private, loopback, link-local,
multicast, reserved or unspecified). Resolution is `resolve_host`, which tests replace (no DNS
lookup in tests). Every failure is a ValidationFailed naming the field; input is never echoed.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from engage.auth.schemas import valid_email
from engage.core.errors import ValidationFailed
from engage.core.phones import normalise_phone

_ACCOUNT_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_SHOP = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_BLOCKED_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


def _getaddrinfo(host: str) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, 443)})


resolve_host: Callable[[str], list[str]] = _getaddrinfo
"""How webhook hosts are resolved (tests replace it; raises OSError when a name does not
resolve)."""


def e164(raw: str, field: str = "phone_number") -> str:
    """`raw` as E.164 (`+` and country code required); ValidationFailed otherwise."""
    value = normalise_phone(raw, None) if raw.strip().startswith("+") else None
    if value is None:
        raise ValidationFailed(
            "Invalid phone number", {field: "must be an E.164 number such as +14155550100"}
        )
    return value


def account_sid(raw: str, field: str = "account_sid") -> str:
    """A Twilio account SID (`AC` + 32 hex digits); ValidationFailed otherwise."""
    if not _ACCOUNT_SID.match(raw.strip()):
        raise ValidationFailed(
            "Invalid Twilio account SID", {field: "must be AC followed by 32 hex digits"}
        )
    return raw.strip()


def email(raw: str, field: str) -> str:
    """An e-mail address, trimmed and lower-cased; ValidationFailed otherwise."""
    try:
        return valid_email(raw)
    except ValueError as exc:
        raise ValidationFailed("Invalid e-mail address", {field: str(exc)}) from exc


def shop_domain(raw: str) -> str:
    """A Shopify shop domain `<name>.myshopify.com`, lower-cased; ValidationFailed otherwise."""
    value = raw.strip().lower().rstrip(".")
    if not _SHOP.match(value):
        raise ValidationFailed(
            "Invalid shop domain", {"shop_domain": "must be <shop>.myshopify.com"}
        )
    return value


def _is_public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:  # the forms inet_aton accepts too: 2130706433, 0x7f.1, 127.1
        socket.inet_aton(host)
        return True
    except OSError:
        return False


def webhook_url(raw: str, field: str = "webhook_url") -> str:
    """`raw` if it is an https URL on a public host (see the module docstring)."""

    def refuse(why: str) -> ValidationFailed:
        return ValidationFailed("Invalid webhook URL", {field: why})

    text = raw.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise refuse("must be a valid URL") from exc
    if parts.scheme.lower() != "https":
        raise refuse("must be an https URL")
    if parts.username is not None or parts.password is not None:
        raise refuse("must not carry credentials")
    if port is not None and not 1 <= port <= 65535:
        raise refuse("must have a valid port")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise refuse("must name a host")
    if _is_ip_literal(host) or host.startswith("["):
        raise refuse("must name a host, not an IP address")
    try:
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise refuse("must name a valid host") from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise refuse("must name a public host (a domain name with a dot)")
    if ascii_host == "localhost" or ascii_host.endswith(_BLOCKED_SUFFIXES):
        raise refuse("must not point at this machine or an internal network")
    try:
        addresses = resolve_host(ascii_host)
    except (OSError, UnicodeError) as exc:
        raise refuse("the host does not resolve") from exc
    if not addresses:
        raise refuse("the host does not resolve")
    if not all(_is_public(a) for a in addresses):
        raise refuse("must not point at a private, loopback, link-local or reserved address")
    return text
