"""Tenants: creation, settings, credits (atomic, never below zero) and tenant counters.

Other groups import these names (campaigns, voice, webhooks): keep them stable. Storage is in
`engage.tenants.store`.
"""

from __future__ import annotations

from engage.core import clock, ids, keys
from engage.core.errors import InsufficientCredits, NotFound
from engage.core.settings import get_settings
from engage.tenants import store
from engage.tenants.models import TenantItem
from engage.tenants.schemas import TenantSettingsPublic, TenantSettingsUpdate


def new_tenant_item(name: str) -> TenantItem:
    """An unsaved tenant with INITIAL_CREDITS credits and default settings."""
    return TenantItem(
        *keys.tenant_key(ids.new_id()),
        name=name,
        credits=get_settings().initial_credits,
        settings=TenantSettingsPublic(companyName=name).model_dump(),
        created_at=clock.now_iso(),
    )


def tenant_id_of(item: TenantItem) -> str:
    """The tenant id from a tenant item's key."""
    return keys.tenant_id_from_pk(item.pk)


def save_new_tenant(item: TenantItem) -> None:
    """Store a tenant made by `new_tenant_item`."""
    store.put_new(item)


def get_tenant(tenant_id: str) -> TenantItem:
    """The tenant item; raises NotFound."""
    item = store.get(tenant_id)
    if item is None:
        raise NotFound("Tenant not found")
    return item


def get_settings_of(tenant_id: str) -> TenantSettingsPublic:
    """The tenant's settings with defaults filled in."""
    return TenantSettingsPublic.model_validate(get_tenant(tenant_id).settings or {})


def update_settings(tenant_id: str, patch: TenantSettingsUpdate) -> TenantSettingsPublic:
    """Merge `patch` into the settings and store them; returns the full settings."""
    current = get_settings_of(tenant_id).model_dump()
    current.update(patch.model_dump(exclude_none=True))
    merged = TenantSettingsPublic.model_validate(current)
    store.set_settings(tenant_id, merged.model_dump())
    return merged


def set_concurrent_calls_limit(tenant_id: str, limit: int) -> None:
    """Store the account's concurrent-calls limit (issue 3; validated by the caller). Raises
    NotFound for an unknown tenant, without creating one."""
    if not store.set_concurrent_calls_limit(tenant_id, limit):
        raise NotFound("Tenant not found")


def debit_credits(tenant_id: str, amount: int) -> int:
    """Take `amount` credits in one conditional update; returns the balance after.

    Raises InsufficientCredits (402) and changes nothing when the balance is lower.
    """
    if amount <= 0:
        return int(get_tenant(tenant_id).credits)
    balance = store.debit(tenant_id, amount)
    if balance is None:
        available = int(get_tenant(tenant_id).credits)
        raise InsufficientCredits(
            "Not enough credits for this campaign",
            {"required": amount, "available": available},
        )
    return balance


def refund_credits(tenant_id: str, amount: int) -> None:
    """Give back `amount` credits (atomic ADD)."""
    if amount > 0:
        store.add(tenant_id, {"credits": amount})


def add_counters(tenant_id: str, **deltas: int) -> None:
    """Atomically add to tenant counters (contact_count, campaign_count, messages_sent) and,
    with `credits=`, give back credits, all in one update."""
    store.add(tenant_id, deltas)
