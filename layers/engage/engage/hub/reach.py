"""Whether a customer can be reached on a channel, for a session opened or transferred there
(issue 11; seed 003 section 2 `POST /sessions/create` and `/transfer`), checked before
anything is written: voice needs the phone and no SMS opt-out (calls honour it); whatsapp the
phone and no WhatsApp opt-out (and answers whether the 24-hour window is open); sms the phone
and `smsConsent` opted in; email an address and `emailConsent` opted in (a session the team
opens there: no opt-out, as for replies); chat an identified end
user (an external id, so they see it on `/v1`); video is not opened here (`POST
/video/sessions`): 400. Other refusals are 409 naming what is missing.
"""

from __future__ import annotations

from engage.contacts.consent import ConsentChannel, consent_of
from engage.contacts.models import ContactItem
from engage.conversations.schemas import Channel
from engage.core.errors import Conflict, ValidationFailed

OPTED_IN, OPTED_OUT = "opted_in", "opted_out"


def _consented(contact: ContactItem, channel: ConsentChannel, field: str, opt_in: bool) -> None:
    consent = consent_of(contact, channel)
    if consent == OPTED_OUT and not opt_in:
        raise Conflict(
            f"The customer opted out of {channel.value}",
            {field: f"{channel.value}Consent is opted_out"},
        )
    if opt_in and consent != OPTED_IN:
        raise Conflict(
            f"The customer has not opted in to {channel.value} ({channel.value}Consent is "
            f"{consent})",
            {field: f"{channel.value}Consent is {consent}, not opted_in"},
        )


def _phone(contact: ContactItem, channel: Channel, field: str) -> None:
    if not contact.phone_e164:
        raise Conflict(f"The customer has no phone number for {channel.value}", {field: "no phone"})


def check_target(
    tenant_id: str,
    contact: ContactItem,
    channel: Channel,
    field: str = "to_channel",
    *,
    opt_in: bool = True,
) -> bool | None:
    """Raise Conflict (or ValidationFailed for video) when the customer cannot be reached on
    `channel` (see the module docstring; `field` names the request field in the details;
    with `opt_in=False`, as for a session the team opens, sms and email refuse only an
    opt-out, as replies do: engage/conversations/outbound.py); for WhatsApp answer whether
    the 24-hour window is open."""
    if channel == Channel.VIDEO:
        raise ValidationFailed(
            "A video session starts with POST /video/sessions, not here",
            {field: "voice, whatsapp, sms, email or chat"},
        )
    if channel == Channel.VOICE:
        _phone(contact, channel, field)
        if consent_of(contact, ConsentChannel.SMS) == OPTED_OUT:
            raise Conflict(
                "The customer opted out (calls honour the SMS opt-out)",
                {field: "smsConsent is opted_out"},
            )
    elif channel == Channel.WHATSAPP:
        _phone(contact, channel, field)
        if consent_of(contact, ConsentChannel.WHATSAPP) == OPTED_OUT:
            raise Conflict(
                "The customer opted out of WhatsApp", {field: "whatsappConsent is opted_out"}
            )
        from engage.whatsapp import service as whatsapp

        return whatsapp.window_open(tenant_id, contact.sk)
    elif channel == Channel.SMS:
        _phone(contact, channel, field)
        _consented(contact, ConsentChannel.SMS, field, opt_in)
    elif channel == Channel.EMAIL:
        if not contact.email:
            raise Conflict("The customer has no e-mail address", {field: "no email"})
        _consented(contact, ConsentChannel.EMAIL, field, opt_in)
    elif channel == Channel.CHAT and not contact.external_id:
        raise Conflict(
            "The customer has no chat identity (they never identified in a chat client)",
            {field: "the contact has no external id"},
        )
    return None
