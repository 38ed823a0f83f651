"""DynamoDB access of the WhatsApp window (STYLE.md rule 1): single-item conditional writes."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from engage.core import keys
from engage.whatsapp.models import WindowItem

_FAILED = "ConditionalCheckFailedException"


def get(tenant_id: str, contact_id: str) -> WindowItem | None:
    """The contact's window item (strongly consistent), or None."""
    try:
        return WindowItem.get(
            *keys.whatsapp_window_key(tenant_id, contact_id), consistent_read=True
        )
    except WindowItem.DoesNotExist:
        return None


def batch_last_inbound(tenant_id: str, contact_ids: Iterable[str]) -> dict[str, str]:
    """`{contact id: last inbound ISO time}` of the contacts that have one (BatchGetItem)."""
    wanted = list(dict.fromkeys(contact_ids))
    out: dict[str, str] = {}
    by_pk = {keys.whatsapp_window_key(tenant_id, c)[0]: c for c in wanted}
    for item in WindowItem.batch_get([keys.whatsapp_window_key(tenant_id, c) for c in wanted]):
        if item.last_inbound_at:
            out[by_pk[item.pk]] = item.last_inbound_at
    return out


def record_inbound(
    tenant_id: str, contact_id: str, at_iso: str, business_number: str | None
) -> bool:
    """Move the window's last inbound time to `at_iso` (one conditional update: only forward,
    so a late or redelivered webhook never shortens the window); False when it was already
    there or later. The business number moves with it."""
    item = WindowItem(*keys.whatsapp_window_key(tenant_id, contact_id))
    actions: list[Action] = [WindowItem.last_inbound_at.set(at_iso)]
    if business_number:
        actions.append(WindowItem.business_number.set(business_number))
    condition = WindowItem.last_inbound_at.does_not_exist() | (WindowItem.last_inbound_at < at_iso)
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def set_stop_opted_out(tenant_id: str, contact_id: str, value: bool) -> None:
    """Record whether the contact's WhatsApp opt-out came from their STOP (creates the item
    when needed; the window time is left as it is)."""
    item = WindowItem(*keys.whatsapp_window_key(tenant_id, contact_id))
    item.update(actions=[WindowItem.stop_opted_out.set(value)])
