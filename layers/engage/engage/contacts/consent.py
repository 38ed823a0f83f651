"""Per-channel marketing consent on the contact (issue 10 "Consent is per channel";
DESIGN.md section 2): `smsConsent`, `whatsappConsent`, `emailConsent`, each `opted_in`,
`opted_out` or `unknown`. Campaigns reach a contact on a channel only when that channel's
consent is `opted_in`, re-checked at send time through the consent log, which records the
channel a contact left.
"""

from __future__ import annotations

from enum import StrEnum

from engage.contacts import service, store
from engage.contacts.models import ContactItem
from engage.contacts.schemas import SmsConsent
from engage.core import clock


class ConsentChannel(StrEnum):
    """A channel that carries marketing consent of its own."""

    SMS = "sms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


_ATTRIBUTES = {
    ConsentChannel.SMS: "sms_consent",
    ConsentChannel.WHATSAPP: "whatsapp_consent",
    ConsentChannel.EMAIL: "email_consent",
}


def consent_of(item: ContactItem, channel: ConsentChannel) -> str:
    """The contact's consent on `channel`: `opted_in`, `opted_out` or `unknown`."""
    return str(getattr(item, _ATTRIBUTES[channel]) or SmsConsent.UNKNOWN)


def set_channel_consent(
    tenant_id: str, contact_id: str, channel: ConsentChannel, consent: str, source: str
) -> bool:
    """Set the contact's consent on one channel (a keyword, an unsubscribe, a complaint, the
    API); True when it changed. Leaving `opted_in` appends a consent-log entry for that channel
    only, so a sender holding an older page skips the contact on that channel and no other.
    SMS keeps its opt-out source (`smsConsent` START only undoes a STOP). Raises ValueError
    for a consent that is not one of the three values."""
    consent = SmsConsent(consent).value
    if channel == ConsentChannel.SMS:
        return service.set_consent(tenant_id, contact_id, consent, source)
    item = store.get(tenant_id, contact_id)
    if item is None:
        return False
    was = consent_of(item, channel)
    if was == consent:
        return False
    if not store.set_channel_consent(item, _ATTRIBUTES[channel], consent, clock.now_iso()):
        return False
    if was == SmsConsent.OPTED_IN:
        service.log_unsendable(tenant_id, contact_id, source, channel=channel.value)
    return True
