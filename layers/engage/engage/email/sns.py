"""Amazon SNS HTTP(S) message verification (issue 10: SES events reach us through SNS).

A message is trusted only when its signature verifies with the certificate at
`SigningCertURL`, and that URL is `https://sns.<region>.amazonaws.com/<...>.pem` (any other
host, scheme or path is refused before anything is fetched). `SignatureVersion` 1 is
SHA1withRSA, 2 is SHA256withRSA, over the string AWS documents: for `Notification`, the
`Message`, `MessageId`, `Subject` (when present), `Timestamp`, `TopicArn` and `Type` fields;
for `SubscriptionConfirmation` and `UnsubscribeConfirmation`, `Message`, `MessageId`,
`SubscribeURL`, `Timestamp`, `Token`, `TopicArn` and `Type`; each as `name\\nvalue\\n`.
Certificates are cached per URL for the life of the process.
https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from engage.core.errors import Forbidden
from engage.email import sns_port

CertFetcher = Callable[[str], bytes]
_CERT_HOST = re.compile(r"^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com$")
_NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_SUBSCRIPTION_FIELDS = (
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
)
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_certs: dict[str, x509.Certificate] = {}
_lock = threading.Lock()


def is_signing_cert_url(url: str) -> bool:
    """Whether `url` is an SNS signing certificate URL we may fetch (see the module
    docstring)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and parts.port is None
        and not parts.username
        and _CERT_HOST.match(parts.hostname or "") is not None
        and parts.path.endswith(".pem")
        and not parts.query
    )


def is_amazonaws_https(url: str) -> bool:
    """Whether `url` is https on an `amazonaws.com` host (a SubscribeURL we may visit)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        parts.scheme == "https"
        and not parts.username
        and parts.port is None
        and re.fullmatch(r"([a-z0-9-]+\.)+amazonaws\.com", host) is not None
    )


def string_to_sign(message: Mapping[str, str]) -> bytes:
    """The canonical string of a message (see the module docstring); KeyError for a missing
    required field."""
    kind = message["Type"]
    fields = _NOTIFICATION_FIELDS if kind == "Notification" else _SUBSCRIPTION_FIELDS
    out = []
    for name in fields:
        if name == "Subject" and name not in message:
            continue
        out.append(f"{name}\n{message[name]}\n")
    return "".join(out).encode()


def _certificate(url: str, fetch: CertFetcher) -> x509.Certificate:
    with _lock:
        cached = _certs.get(url)
    if cached is not None:
        return cached
    cert = x509.load_pem_x509_certificate(fetch(url))
    with _lock:
        _certs[url] = cert
    return cert


def verify(message: Mapping[str, str], fetch: CertFetcher | None = None) -> None:
    """Raise Forbidden unless `message` (the parsed SNS body, string values) is signed by
    SNS (see the module docstring). `fetch` gets the certificate's PEM bytes (default: an
    HTTPS GET)."""
    algorithm = _HASHES.get(str(message.get("SignatureVersion", "")))
    url = str(message.get("SigningCertURL", ""))
    if algorithm is None or message.get("Type") not in (
        "Notification",
        "SubscriptionConfirmation",
        "UnsubscribeConfirmation",
    ):
        raise Forbidden("Invalid SNS signature")
    if not is_signing_cert_url(url):
        raise Forbidden("Invalid SNS signing certificate URL")
    try:
        signature = base64.b64decode(str(message.get("Signature", "")), validate=True)
        signed = string_to_sign(message)
        key = _certificate(url, fetch or sns_port.http_get).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Forbidden("Invalid SNS signing certificate")
        key.verify(signature, signed, padding.PKCS1v15(), algorithm())
    except (InvalidSignature, KeyError, binascii.Error, ValueError, OSError):
        raise Forbidden("Invalid SNS signature") from None


def forget_certificates() -> None:
    """Empty the certificate cache (tests)."""
    with _lock:
        _certs.clear()
