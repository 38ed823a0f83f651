"""Port: one real, cheap request to each provider behind a channel (issue 10 `GET
/channels/{channelType}/status`, `POST /integrations/{integrationType}/test`). Each probe
answers a `ProbeResult` (never raises for what the provider says or for an unreachable
provider) with the latency measured around the provider call(s):

- Twilio (sms, voice, whatsapp): fetch the account with the given credentials
  (https://www.twilio.com/docs/iam/api/account#fetch-an-account-resource), healthy when it is
  `active`; with a phone number, also list it among the account's incoming numbers
  (https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource). Bad
  credentials are Twilio's 401 `20003 Authenticate`.
- SES v2 (email): `GetAccount` (sending enabled?) and, with a from-address, `GetEmailIdentity`
  of the address, else of its domain (verified for sending?).
- Chime SDK Meetings (video): `GetMeeting` of a meeting id that cannot exist: a
  `NotFoundException` proves the service answers and the role may call it.
- chat: `DescribeTable` of our own table.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engage.core.aws import client
from engage.core.settings import get_settings

NO_SUCH_MEETING = "00000000-0000-4000-8000-000000000000"


@dataclass
class ProbeResult:
    """`ok`: the provider answered and all is well; `detail`: what it answered (one line,
    never a credential); `latency_ms`: time spent calling it (None: no call was made)."""

    ok: bool
    detail: str
    latency_ms: int | None = None


@contextmanager
def _timed(result: dict[str, int]) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        result["ms"] = max(0, round((time.perf_counter() - start) * 1000))


def _twilio_http() -> Any:
    from twilio.http.http_client import TwilioHttpClient

    return TwilioHttpClient(timeout=get_settings().provider_probe_timeout_seconds)


twilio_http_client: Callable[[], Any] = _twilio_http
"""The HTTP client the Twilio SDK probes with (tests replace HTTP below the SDK)."""


def _twilio_reason(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    text = getattr(exc, "msg", None) or getattr(exc, "title", None) or type(exc).__name__
    text = str(text).removeprefix("Unable to fetch record: ").removeprefix("Unable to fetch page: ")
    return f"Twilio refused: {status} {code} {text}".replace("None ", "")


def twilio(account_sid: str, auth_token: str, phone_number: str | None = None) -> ProbeResult:
    """Check Twilio credentials (and that `phone_number` is on the account)."""
    import requests
    from twilio.base.exceptions import TwilioException
    from twilio.rest import Client

    sdk = Client(account_sid, auth_token, http_client=twilio_http_client())
    took: dict[str, int] = {}
    numbers: list[Any] = []
    try:
        with _timed(took):
            account = sdk.api.v2010.accounts(account_sid).fetch()
            if phone_number and account.status == "active":
                numbers = sdk.api.v2010.accounts(account_sid).incoming_phone_numbers.list(
                    phone_number=phone_number, limit=1
                )
    except TwilioException as exc:
        return ProbeResult(False, _twilio_reason(exc), took.get("ms"))
    except requests.RequestException as exc:
        return ProbeResult(
            False, f"Twilio could not be reached ({type(exc).__name__})", took.get("ms")
        )
    if account.status != "active":
        return ProbeResult(False, f"The Twilio account is {account.status}", took["ms"])
    if phone_number and not numbers:
        return ProbeResult(False, "The phone number is not on this Twilio account", took["ms"])
    return ProbeResult(True, "Connection successful: the Twilio account is active", took["ms"])


def _aws_reason(service: str, exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{service} refused: {error.get('Code', 'error')} {error.get('Message', '')}".strip()
    return f"{service} could not be reached ({type(exc).__name__})"


def _identity_verified(sesv2: Any, identity: str) -> bool | None:
    """Whether SES may send as `identity` (None: SES does not know it)."""
    try:
        found = sesv2.get_email_identity(EmailIdentity=identity)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return None
        raise
    return bool(found.get("VerifiedForSendingStatus"))


def ses(from_address: str | None) -> ProbeResult:
    """Check SES: sending enabled on the account, and `from_address` (or its domain)
    verified for sending."""
    sesv2 = client("sesv2")
    took: dict[str, int] = {}
    verified: bool | None = None
    try:
        with _timed(took):
            account = sesv2.get_account()
            if from_address:
                verified = _identity_verified(sesv2, from_address)
                if verified is None:
                    verified = _identity_verified(sesv2, from_address.rsplit("@", 1)[-1])
    except (BotoCoreError, ClientError) as exc:
        return ProbeResult(False, _aws_reason("SES", exc), took.get("ms"))
    if not account.get("SendingEnabled", False):
        return ProbeResult(False, "SES sending is paused on this account", took["ms"])
    if from_address and not verified:
        return ProbeResult(False, "The from address is not a verified SES identity", took["ms"])
    mode = "production" if account.get("ProductionAccessEnabled") else "sandbox"
    return ProbeResult(True, f"Connection successful: SES sending enabled ({mode})", took["ms"])


def chime() -> ProbeResult:
    """Check Chime SDK Meetings (see the module docstring)."""
    took: dict[str, int] = {}
    try:
        with _timed(took):
            client("chime-sdk-meetings").get_meeting(MeetingId=NO_SUCH_MEETING)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "NotFoundException":
            return ProbeResult(
                True, "Connection successful: Chime SDK Meetings answers", took["ms"]
            )
        return ProbeResult(False, _aws_reason("Chime SDK Meetings", exc), took.get("ms"))
    except BotoCoreError as exc:
        return ProbeResult(False, _aws_reason("Chime SDK Meetings", exc), took.get("ms"))
    return ProbeResult(True, "Connection successful: Chime SDK Meetings answers", took["ms"])


def table() -> ProbeResult:
    """Check our own table (chat: the conversations live there)."""
    took: dict[str, int] = {}
    try:
        with _timed(took):
            client("dynamodb").describe_table(TableName=get_settings().table_name)
    except (BotoCoreError, ClientError) as exc:
        return ProbeResult(False, _aws_reason("DynamoDB", exc), took.get("ms"))
    return ProbeResult(True, "Connection successful: the conversations table answers", took["ms"])
