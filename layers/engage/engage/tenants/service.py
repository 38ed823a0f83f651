"""Tenants: creation, settings, credits (atomic, never below zero) and tenant counters."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from engage.core import clock, ids, keys
from engage.core.errors import InsufficientCredits, NotFound
from engage.core.settings import get_settings
from engage.tenants.models import TenantItem
from engage.tenants.schemas import SettingsPublic, SettingsUpdate


def _key(tenant_id: str) -> tuple[str, str]:
    return keys.tenant_pk(tenant_id), "TENANT"


def new_tenant_item(name: str) -> TenantItem:
    """An unsaved tenant with INITIAL_CREDITS credits and default settings."""
    tenant_id = ids.new_id()
    pk, sk = _key(tenant_id)
    return TenantItem(
        pk=pk,
        sk=sk,
        name=name,
        credits=get_settings().initial_credits,
        settings=SettingsPublic(companyName=name).model_dump(),
        created_at=clock.now_iso(),
    )


def tenant_id_of(item: TenantItem) -> str:
    """The tenant id from a tenant item's key."""
    return item.pk.split("#", 1)[1]


def get_tenant(tenant_id: str) -> TenantItem:
    """The tenant item; raises NotFound."""
    try:
        return TenantItem.get(*_key(tenant_id), consistent_read=True)
    except TenantItem.DoesNotExist as exc:
        raise NotFound("Tenant not found") from exc


def get_settings_of(tenant_id: str) -> SettingsPublic:
    """The tenant's settings with defaults filled in."""
    return SettingsPublic.model_validate(get_tenant(tenant_id).settings or {})


def update_settings(tenant_id: str, patch: SettingsUpdate) -> SettingsPublic:
    """Merge `patch` into the settings and store them; returns the full settings."""
    item = get_tenant(tenant_id)
    current = SettingsPublic.model_validate(item.settings or {}).model_dump()
    current.update(patch.model_dump(exclude_none=True))
    merged = SettingsPublic.model_validate(current)
    item.update(actions=[TenantItem.settings.set(merged.model_dump())])
    return merged


def set_concurrent_calls_limit(tenant_id: str, limit: int) -> None:
    """Store the account's concurrent-calls limit (issue 3; validated by the caller). Raises
    NotFound for an unknown tenant, without creating one."""
    try:
        TenantItem(*_key(tenant_id)).update(
            actions=[TenantItem.concurrent_calls_limit.set(limit)],
            condition=TenantItem.pk.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise NotFound("Tenant not found") from exc
        raise


def debit_credits(tenant_id: str, amount: int) -> int:
    """Take `amount` credits in one conditional update; returns the balance after.

    Raises InsufficientCredits (402) and changes nothing when the balance is lower.
    """
    if amount <= 0:
        return int(get_tenant(tenant_id).credits)
    item = TenantItem(*_key(tenant_id))
    try:
        item.update(
            actions=[TenantItem.credits.add(-amount)],
            condition=TenantItem.credits >= amount,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            balance = int(get_tenant(tenant_id).credits)
            raise InsufficientCredits(
                "Not enough credits for this campaign",
                {"required": amount, "available": balance},
            ) from exc
        raise
    return int(item.credits)


def refund_credits(tenant_id: str, amount: int) -> None:
    """Give back `amount` credits (atomic ADD)."""
    if amount > 0:
        TenantItem(*_key(tenant_id)).update(actions=[TenantItem.credits.add(amount)])


def add_counters(tenant_id: str, **deltas: int) -> None:
    """Atomically add to tenant counters (contact_count, campaign_count, messages_sent) and,
    with `credits=`, give back credits, all in one update."""
    actions: list[Any] = [getattr(TenantItem, k).add(v) for k, v in deltas.items() if v]
    if actions:
        TenantItem(*_key(tenant_id)).update(actions=actions)
