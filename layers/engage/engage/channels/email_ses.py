"""Amazon SES v2 e-mail adapter (`SendEmail`, simple content: text and HTML parts).

The from-address (a verified SES identity) is EMAIL_FROM_ADDRESS; EMAIL_CONFIGURATION_SET,
when set, names the configuration set whose event destinations see delivery, bounce and
complaint events. The client is boto3's `sesv2` (core/aws.py) unless one is given (tests).
https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engage.channels.email_base import EmailRefused, OutboundEmail
from engage.core import aws
from engage.core.settings import Settings


def _part(value: str) -> dict[str, str]:
    return {"Data": value, "Charset": "UTF-8"}


class SesEmail:
    """Sends through SES v2; see the module docstring."""

    name = "ses"

    def __init__(self, settings: Settings, client: Any = None) -> None:
        self.from_address = settings.email_from_address
        self.configuration_set = settings.email_configuration_set
        self.client = client or aws.client("sesv2")

    def send(self, email: OutboundEmail) -> str:
        """One `SendEmail` call; returns SES's MessageId. Raises EmailRefused with SES's error
        code when SES refuses it (unverified identity, suppressed address, throttling...)."""
        request: dict[str, Any] = {
            "FromEmailAddress": self.from_address,
            "Destination": {"ToAddresses": [email.to]},
            "Content": {
                "Simple": {
                    "Subject": _part(email.subject),
                    "Body": {"Text": _part(email.text), "Html": _part(email.html)},
                }
            },
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        if email.tenant_id:
            request["EmailTags"] = [{"Name": "tenant", "Value": email.tenant_id}]
        try:
            answer = self.client.send_email(**request)
        except ClientError as exc:
            raise EmailRefused(str(exc.response.get("Error", {}).get("Code", "error"))) from None
        except BotoCoreError as exc:
            raise EmailRefused(type(exc).__name__) from None
        return str(answer["MessageId"])
