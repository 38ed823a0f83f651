"""Amazon SES v2 e-mail adapter (`SendEmail`, simple content: text and HTML parts, and the
extra header fields of `OutboundEmail.headers`, `In-Reply-To` and `References` through
`Content.Simple.Headers`, at most 15 of them).

The from-address (a verified SES identity) is the e-mail's own `from_address` (with
`from_name`), else EMAIL_FROM_ADDRESS; EMAIL_CONFIGURATION_SET, when set, names the
configuration set whose event destinations see delivery, bounce and complaint events. Every
e-mail of a tenant carries the tag `tenant_id` (and the e-mail's own `tags`), which SES puts in
those events (`mail.tags`). SES writes its own `Message-ID`, `<SES message id>@<region
domain>` (`email.amazonses.com` in us-east-1, `<region>.amazonses.com` elsewhere), which is
what a reply's `In-Reply-To` names: `message_id_header` gives it. The client is `sesv2`
(core/aws.py) unless one is given (tests).
https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engage.channels.email_base import EmailRefused, OutboundEmail, sender_of
from engage.core import aws
from engage.core.settings import Settings

MAX_HEADERS = 15  # SES v2 `Message.Headers`
SKIPPED_HEADERS = {"message-id", "from", "to", "subject", "reply-to", "date"}
"""Header fields SES writes itself (or takes from their own parameters)."""


def _part(value: str) -> dict[str, str]:
    return {"Data": value, "Charset": "UTF-8"}


def ses_message_id_domain(region: str) -> str:
    """The domain of the `Message-ID` SES writes in `region`."""
    return "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"


def _valid_header(name: str, value: str) -> bool:
    printable = all(33 <= ord(c) <= 126 and c != ":" for c in name)
    return bool(name) and len(name) <= 126 and printable and "\r" not in value and "\n" not in value


class SesEmail:
    """Sends through SES v2; see the module docstring."""

    name = "ses"

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.from_address = settings.email_from_address
        self.configuration_set = settings.email_configuration_set
        self.region = settings.aws_region
        self.client = client or aws.client("sesv2")

    def message_id_header(self, provider_message_id: str, email: OutboundEmail) -> str:
        """The `Message-ID` the recipient sees (SES's own; see the module docstring)."""
        return f"<{provider_message_id}@{ses_message_id_domain(self.region)}>"

    def send(self, email: OutboundEmail) -> str:
        """One `SendEmail` call; returns SES's MessageId. Raises EmailRefused with SES's error
        code when SES refuses it (unverified identity, suppressed address, throttling...)."""
        simple: dict[str, Any] = {
            "Subject": _part(email.subject),
            "Body": {"Text": _part(email.text), "Html": _part(email.html)},
        }
        headers = [
            {"Name": name, "Value": value}
            for name, value in email.all_headers()
            if name.lower() not in SKIPPED_HEADERS and _valid_header(name, value)
        ]
        if headers:
            simple["Headers"] = headers[:MAX_HEADERS]
        request: dict[str, Any] = {
            "FromEmailAddress": sender_of(email, self.from_address),
            "Destination": {"ToAddresses": [email.to]},
            "Content": {"Simple": simple},
        }
        if email.reply_to:
            request["ReplyToAddresses"] = [email.reply_to]
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        tags = [("tenant_id", email.tenant_id)] if email.tenant_id else []
        tags += [(n, v) for n, v in email.tags if n != "tenant_id"]
        if tags:
            request["EmailTags"] = [{"Name": n, "Value": v} for n, v in tags]
        try:
            answer = self.client.send_email(**request)
        except ClientError as exc:
            raise EmailRefused(str(exc.response.get("Error", {}).get("Code", "error"))) from None
        except BotoCoreError as exc:
            raise EmailRefused(type(exc).__name__) from None
        return str(answer["MessageId"])
