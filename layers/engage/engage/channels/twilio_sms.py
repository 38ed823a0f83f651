"""Twilio Programmable Messaging adapter, on Twilio's official Python SDK.

Sends with `client.messages.create` (https://www.twilio.com/docs/messaging/api/message-resource)
through a Messaging Service when TWILIO_MESSAGING_SERVICE_SID is set, else from
TWILIO_FROM_NUMBER, with a per-message StatusCallback that carries our message reference.
Webhooks are verified with the SDK's `RequestValidator` (HMAC-SHA1 of URL + sorted params,
https://www.twilio.com/docs/usage/webhooks/webhooks-security).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from twilio.request_validator import RequestValidator

from engage.channels.base import OutboundSms, Receipt, SendResult
from engage.core.observability import trace_requests
from engage.core.settings import Settings


def twilio_auth_token(settings: Settings) -> str:
    """TWILIO_AUTH_TOKEN, or the `auth_token` of the secret at TWILIO_SECRET_ARN."""
    if settings.twilio_auth_token:
        return settings.twilio_auth_token
    if settings.twilio_secret_arn:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from engage.core.aws import client

        provider = SecretsProvider(boto3_client=client("secretsmanager"))
        secret: Any = provider.get(settings.twilio_secret_arn, transform="json", max_age=300)
        return str(secret["auth_token"])
    raise RuntimeError("TWILIO_AUTH_TOKEN or TWILIO_SECRET_ARN must be set for the twilio provider")


def verify_signature(auth_token: str, url: str, params: dict[str, str], signature: str) -> bool:
    """True when `signature` is Twilio's signature of this request."""
    return bool(signature) and RequestValidator(auth_token).validate(url, params, signature)


def twilio_client(settings: Settings, http_client: Any = None) -> Any:
    """The Twilio REST client of the platform's account (`TWILIO_ACCOUNT_SID` and its auth
    token); `http_client` lets tests replace HTTP below the SDK. Raises RuntimeError when the
    account is not configured."""
    if not settings.twilio_account_sid:
        raise RuntimeError("TWILIO_ACCOUNT_SID must be set for the twilio provider")
    from twilio.rest import Client  # the REST client is heavy: only senders load it

    trace_requests()
    return Client(settings.twilio_account_sid, twilio_auth_token(settings), http_client=http_client)


def create_message(client: Any, kwargs: dict[str, Any]) -> SendResult:
    """One Programmable Messaging `messages.create` call (SMS and WhatsApp share it): `sent`
    with the message SID, or `failed` with Twilio's `<code> <message>` (200 characters at most)
    for a TwilioRestException."""
    from twilio.base.exceptions import TwilioRestException

    try:
        created = client.messages.create(**kwargs)
    except TwilioRestException as exc:
        return SendResult("failed", None, f"{exc.code} {exc.msg}"[:200])
    return SendResult("sent", created.sid)


class TwilioSms:
    """Sends through Twilio; `http_client` lets tests replace HTTP below the SDK."""

    name = "twilio"

    def __init__(self, settings: Settings, http_client: Any = None) -> None:
        self.settings = settings
        self.client = twilio_client(settings, http_client)

    def send(self, message: OutboundSms) -> SendResult:
        """One `messages.create` call; a TwilioRestException becomes a `failed` result."""
        kwargs: dict[str, Any] = {
            "to": message.to,
            "body": message.body,
            "status_callback": f"{self.settings.callback_base_url}/webhooks/sms/twilio/status"
            f"?ref={quote(message.ref, safe='')}",
        }
        if self.settings.twilio_messaging_service_sid:
            kwargs["messaging_service_sid"] = self.settings.twilio_messaging_service_sid
        else:
            kwargs["from_"] = message.sender or self.settings.twilio_from_number
        return create_message(self.client, kwargs)

    def flush(self) -> list[Receipt]:
        """Twilio's receipts arrive on the status webhook."""
        return []
