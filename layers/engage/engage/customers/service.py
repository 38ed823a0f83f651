"""Customer profiles (seed 003 section 4): the contact behind every channel, read and changed
under seed 003's names. A customer IS a contact (engage/contacts): there is no second copy of
a person. Changes go through `contacts.service.update_contact_item`, so phone uniqueness, E.164
numbers, the e-mail index entry, the search text and the `contact.updated` event stay right.
"""

from __future__ import annotations

from typing import Any

from engage.contacts import service as contacts
from engage.contacts.models import ContactItem
from engage.contacts.schemas import ContactUpdate, SmsConsent
from engage.core.errors import ValidationFailed
from engage.customers.schemas import (
    CustomerConsentPublic,
    CustomerPreferencesPublic,
    CustomerProfilePublic,
    CustomerProfileUpdate,
)

NAME_PART_MAX = 100  # a contact's first and last name are each at most this long


def _consent(value: str | None) -> SmsConsent:
    return SmsConsent(value) if value in tuple(SmsConsent) else SmsConsent.UNKNOWN


def display_name(item: ContactItem) -> str | None:
    """First and last name joined by a space; None when neither is known."""
    name = " ".join(p for p in (item.first_name, item.last_name) if p)
    return name or None


def profile_of(item: ContactItem) -> CustomerProfilePublic:
    """The seed 003 profile of a contact (plus `consent` and `updated_at`)."""
    return CustomerProfilePublic(
        customer_id=item.sk,
        name=display_name(item),
        email=item.email,
        phone=item.phone_e164 or None,
        preferences=CustomerPreferencesPublic(
            language=item.language,
            preferred_channel=item.preferred_channel,  # type: ignore[arg-type]
        ),
        tags=[str(t) for t in item.tags or []],
        consent=CustomerConsentPublic(
            sms=_consent(item.sms_consent),
            whatsapp=_consent(item.whatsapp_consent),
            email=_consent(item.email_consent),
        ),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def get_profile(tenant_id: str, customer_id: str) -> CustomerProfilePublic:
    """The profile of the tenant's contact `customer_id`. Raises NotFound for an unknown or
    malformed id and for another tenant's."""
    return profile_of(contacts.get_contact(tenant_id, customer_id))


def split_name(name: str | None) -> tuple[str | None, str | None]:
    """`(first, last)` of a display name split at its first space, as contacts keep names
    (engage/contacts/lookup.py); `(None, None)` for none. Raises ValidationFailed when a part
    is over 100 characters."""
    first, _, last = (name or "").strip().partition(" ")
    last = last.strip()
    if len(first) > NAME_PART_MAX or len(last) > NAME_PART_MAX:
        raise ValidationFailed(
            "The name is too long",
            {"name": f"first and last name are each at most {NAME_PART_MAX} characters"},
        )
    return first or None, last or None


def contact_update(body: CustomerProfileUpdate) -> ContactUpdate:
    """The contacts update that `body` means (only the fields it sets). Raises
    ValidationFailed for `phone: null` (a contact's number can be changed, not removed)."""
    fields: dict[str, Any] = {}
    given = body.model_fields_set
    if "name" in given:
        fields["first_name"], fields["last_name"] = split_name(body.name)
    if "email" in given:
        fields["email"] = body.email
    if "phone" in given:
        if body.phone is None:
            raise ValidationFailed(
                "A customer's phone number can be changed, not removed",
                {"phone": "give a phone number"},
            )
        fields["phone"] = body.phone
    if "tags" in given:
        fields["tags"] = body.tags or []
    if "preferences" in given:
        prefs = body.preferences
        if prefs is None:  # null: both unknown again
            fields["language"] = fields["preferred_channel"] = None
        else:
            for name in prefs.model_fields_set & {"language", "preferred_channel"}:
                fields[name] = getattr(prefs, name)
    return ContactUpdate.model_validate(fields)


def update_profile(
    tenant_id: str, customer_id: str, body: CustomerProfileUpdate
) -> CustomerProfilePublic:
    """Change the fields `body` sets through the contacts' update path; answers the profile.
    A body that changes nothing writes nothing. Raises NotFound (unknown, malformed or another
    tenant's id), ValidationFailed (a phone that is no number, `phone: null`, a name part over
    100 characters), Conflict (the number belongs to another of the tenant's contacts)."""
    update = contact_update(body)
    return profile_of(contacts.update_contact_item(tenant_id, customer_id, update))
