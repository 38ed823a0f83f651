"""Contact events derived from the table's stream (engage/events/derive.py).

- `contact.created` on the INSERT of a contact item;
- `contact.updated` on a MODIFY that changes what a contact is (not only `searchText` or
  `updatedAt`), with `changed`: the wire names of the changed fields;
- `contact.consent_changed` on a MODIFY (or INSERT with no earlier image) whose consent for a
  channel differs, with `channel`, `from`, `to` and `source` (the opt-out source, if any).

`data` of created/updated: `{contact_id, phone_e164, email, first_name, last_name,
sms_consent, tags}` (wire values, None where unset).
"""

from __future__ import annotations

from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange, iso
from engage.events.envelope import EventType

CONSENT_FIELDS = {"smsConsent": "sms", "whatsappConsent": "whatsapp", "emailConsent": "email"}
_IGNORED = {"searchText", "updatedAt", "PK", "SK"}
_PUBLIC = {
    "contact_id": "SK",
    "phone_e164": "phoneE164",
    "email": "email",
    "first_name": "firstName",
    "last_name": "lastName",
    "sms_consent": "smsConsent",
    "tags": "tags",
}


def _json(value: Any) -> JsonValue:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)  # Decimal and the like


def _data(image: dict[str, Any]) -> dict[str, JsonValue]:
    return {name: _json(image.get(attr)) for name, attr in _PUBLIC.items()}


def derive_contact_events(change: StreamChange) -> list[Derived]:
    """The contact events of `change`; none when it is not a contact item or was removed."""
    try:
        tenant_id, _ = keys.parse_contact_partition(change.pk)
    except ValueError:
        return []
    new, old = change.new, change.old or {}
    if new is None:
        return []
    at = str(new.get("updatedAt") or new.get("createdAt") or iso(change.at))
    out: list[Derived] = []
    if change.name == "INSERT" or not change.old:
        out.append(Derived(EventType.CONTACT_CREATED, tenant_id, at, _data(new)))
    else:
        changed = sorted(
            k for k in set(old) | set(new) if k not in _IGNORED and old.get(k) != new.get(k)
        )
        if changed:
            data: dict[str, JsonValue] = {**_data(new), "changed": list(changed)}
            out.append(Derived(EventType.CONTACT_UPDATED, tenant_id, at, data))
        for attr, channel in CONSENT_FIELDS.items():
            before, after = old.get(attr), new.get(attr)
            if before != after and after is not None:
                consent: dict[str, JsonValue] = {
                    "contact_id": str(new.get("SK")),
                    "channel": channel,
                    "from": _json(before),
                    "to": _json(after),
                    "source": _json(new.get("optOutSource")),
                }
                out.append(Derived(EventType.CONTACT_CONSENT_CHANGED, tenant_id, at, consent))
    return out
