"""SES events through SNS (issue 10: "Bounces and complaints (SES event destination -> SNS)
suppress the address"): the logic of `POST /webhooks/ses/events`.

Every request is an SNS message, verified first (sns.py) and accepted only from the topic
SES_EVENTS_TOPIC_ARN (anyone may subscribe our URL to a topic of their own, and SNS would sign
those messages too): anything else is a 403 and changes nothing.
- `SubscriptionConfirmation`: the SubscribeURL is visited (https on amazonaws.com only), which
  confirms the subscription; `UnsubscribeConfirmation` is acknowledged and ignored.
- `Notification`: `Message` is an SES event (event publishing's `eventType`, or an identity
  notification's `notificationType`). The tenant is the `tenant_id` tag we set when sending
  (`mail.tags`). `Bounce` with `bounceType: Permanent` puts each bounced recipient on the
  tenant's suppression list; `Complaint` does that and sets `emailConsent` opted_out on the
  contacts with the address (and the `contact_id` tag's). A campaign e-mail (tag `ref`) gets a
  receipt, `undelivered` for a bounce and `delivered` for a `Delivery`, through the receipts
  queue (engage/campaigns/receipts.py moves `sent ->` once, and counts it). Other events
  (transient bounces, opens, clicks...) are acknowledged and change nothing.
Event shapes: https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from engage.campaigns.receipts import queue_receipts
from engage.channels.base import Receipt
from engage.contacts.consent import ConsentChannel, set_channel_consent
from engage.contacts.lookup import contact_ids_by_email
from engage.core.errors import Forbidden, NotFound, ValidationFailed
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.email import sns, sns_port, store
from engage.email.marketing import read_ref_tag
from engage.email.sending import is_address

_TENANT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_BODY_BYTES = 256 * 1024  # SNS messages are at most 256 KiB


@dataclass(frozen=True)
class SesEventOutcome:
    """What one SNS message did: its `type`, the SES `event` (if any), how many addresses
    were `suppressed` and campaign `receipts` queued."""

    type: str
    event: str | None = None
    suppressed: int = 0
    receipts: int = 0


def parse_body(raw: bytes) -> dict[str, str]:
    """The SNS message (a JSON object of strings); ValidationFailed otherwise."""
    if len(raw) > MAX_BODY_BYTES:
        raise ValidationFailed("SNS message too large", {"body": "at most 256 KiB"})
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed("Not an SNS message", {"body": "must be JSON"}) from None
    if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
        raise ValidationFailed("Not an SNS message", {"body": "must be an SNS JSON object"})
    return parsed


def handle(raw: bytes, fetch: sns.CertFetcher | None = None) -> SesEventOutcome:
    """Verify and apply one SNS message (see the module docstring). Raises ValidationFailed
    (not an SNS message) or Forbidden (unsigned, forged, another topic)."""
    message = parse_body(raw)
    sns.verify(message, fetch)
    topic = get_settings().ses_events_topic_arn
    if not topic or message.get("TopicArn") != topic:
        raise Forbidden("SNS topic not accepted")
    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        url = message.get("SubscribeURL", "")
        if not sns.is_amazonaws_https(url):
            raise Forbidden("SubscribeURL not on amazonaws.com")
        try:
            sns_port.http_get(url)
        except OSError as exc:  # SNS sends the confirmation again; say so in the log
            logger.warning("SNS subscription not confirmed", extra={"error": type(exc).__name__})
            raise ValidationFailed("Could not confirm the subscription") from None
        return SesEventOutcome(kind)
    if kind != "Notification":
        return SesEventOutcome(kind)
    try:
        event = json.loads(message.get("Message", ""))
    except ValueError:
        return SesEventOutcome(kind)
    return apply_event(event) if isinstance(event, dict) else SesEventOutcome(kind)


def _tag(mail: dict[str, Any], name: str) -> str | None:
    values = (mail.get("tags") or {}).get(name) if isinstance(mail.get("tags"), dict) else None
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0]
    return None


def _addresses(rows: Any) -> list[str]:
    out = []
    for row in rows if isinstance(rows, list) else []:
        address = row.get("emailAddress") if isinstance(row, dict) else None
        if isinstance(address, str) and is_address(address.strip()):
            out.append(address.strip())
    return out


def apply_event(event: dict[str, Any]) -> SesEventOutcome:
    """Apply one SES event (already trusted; see the module docstring)."""
    kind = str(event.get("eventType") or event.get("notificationType") or "")
    mail = event.get("mail") if isinstance(event.get("mail"), dict) else {}
    assert isinstance(mail, dict)
    tenant_id = _tag(mail, "tenant_id")
    if not tenant_id or not _TENANT_ID.match(tenant_id):
        logger.info("SES event without a tenant tag", extra={"event": kind})
        return SesEventOutcome("Notification", kind)
    suppressed = 0
    status: str | None = None
    error: str | None = None
    if kind == "Bounce":
        bounce = event.get("bounce") if isinstance(event.get("bounce"), dict) else {}
        assert isinstance(bounce, dict)
        if bounce.get("bounceType") == "Permanent":
            detail = str(bounce.get("bounceSubType") or "")[:100] or None
            for address in _addresses(bounce.get("bouncedRecipients")):
                suppressed += store.suppress(tenant_id, address, "bounce", detail)
            status, error = "undelivered", f"bounce:{detail or 'Permanent'}"
    elif kind == "Complaint":
        complaint = event.get("complaint") if isinstance(event.get("complaint"), dict) else {}
        assert isinstance(complaint, dict)
        detail = str(complaint.get("complaintFeedbackType") or "")[:100] or None
        for address in _addresses(complaint.get("complainedRecipients")):
            suppressed += store.suppress(tenant_id, address, "complaint", detail)
            _opt_out(tenant_id, address, _tag(mail, "contact_id"))
    elif kind == "Delivery":
        status = "delivered"
    receipts = _receipt(tenant_id, mail, status, error) if status else 0
    return SesEventOutcome("Notification", kind, suppressed, receipts)


def _opt_out(tenant_id: str, address: str, tagged_contact: str | None) -> None:
    """`emailConsent` opted_out on every contact of the tenant with `address`."""
    contact_ids = set(contact_ids_by_email(tenant_id, address))
    if tagged_contact and _TENANT_ID.match(tagged_contact):
        contact_ids.add(tagged_contact)
    for contact_id in sorted(contact_ids):
        try:
            set_channel_consent(
                tenant_id, contact_id, ConsentChannel.EMAIL, "opted_out", "email_complaint"
            )
        except NotFound:
            continue


def _receipt(tenant_id: str, mail: dict[str, Any], status: str, error: str | None) -> int:
    """Queue a receipt for the campaign message the `ref` tag names (of this tenant)."""
    encoded = _tag(mail, "ref")
    ref = read_ref_tag(encoded) if encoded else None
    message_id = mail.get("messageId")
    if not ref or ref.count("|") != 2 or not ref.startswith(f"{tenant_id}|"):
        return 0
    if not isinstance(message_id, str) or not message_id:
        return 0
    queue_receipts([Receipt("ses", message_id, status, error, ref)])
    return 1
