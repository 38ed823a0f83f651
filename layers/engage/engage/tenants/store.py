"""Tenant item storage (`PK=T#<tenantId>`, `SK=TENANT`): the only module that reads or writes
it. Counters and credits change by atomic ADD; the debit is conditional, so credits never go
below zero (DESIGN.md section 2)."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from engage.core import keys
from engage.tenants.models import TenantItem


def _conditional_failed(exc: UpdateError) -> bool:
    return exc.cause_response_code == "ConditionalCheckFailedException"


def get(tenant_id: str) -> TenantItem | None:
    """The tenant item (strongly consistent read), or None."""
    try:
        return TenantItem.get(*keys.tenant_key(tenant_id), consistent_read=True)
    except TenantItem.DoesNotExist:
        return None


def put_new(item: TenantItem) -> None:
    """Write a new tenant item."""
    item.save()


def set_settings(tenant_id: str, settings: dict[str, Any]) -> None:
    """Replace the settings document."""
    TenantItem(*keys.tenant_key(tenant_id)).update(actions=[TenantItem.settings.set(settings)])


def set_concurrent_calls_limit(tenant_id: str, limit: int) -> bool:
    """Store the account's concurrent-calls limit; False when the tenant does not exist."""
    try:
        TenantItem(*keys.tenant_key(tenant_id)).update(
            actions=[TenantItem.concurrent_calls_limit.set(limit)],
            condition=TenantItem.pk.exists(),
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def debit(tenant_id: str, amount: int) -> int | None:
    """Take `amount` credits if the balance covers them (one conditional update): the balance
    after, or None (nothing changed) when it does not."""
    item = TenantItem(*keys.tenant_key(tenant_id))
    try:
        item.update(
            actions=[TenantItem.credits.add(-amount)],
            condition=TenantItem.credits >= amount,
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return None
        raise
    return int(item.credits)


def add(tenant_id: str, deltas: dict[str, int]) -> None:
    """Atomically add to counters (`credits`, `contact_count`, `campaign_count`,
    `messages_sent`) in one update; zero deltas are left out."""
    actions: list[Any] = [getattr(TenantItem, k).add(v) for k, v in deltas.items() if v]
    if actions:
        TenantItem(*keys.tenant_key(tenant_id)).update(actions=actions)


# -- identity verification (issue 9; engage/account/identity.py) -------------------------------
def set_identity_secret_version(
    tenant_id: str, expected: int, version: int, created_at: str, previous_until: str | None
) -> bool:
    """Move the identity secret from version `expected` to `version` in one write conditional
    on `expected` still being current; False when it is not (a concurrent rotation won) or the
    tenant does not exist."""
    current = TenantItem.identity_secret_version
    still_current = current == expected
    if expected == 0:  # tenants made before identity verification have no version yet
        still_current = still_current | current.does_not_exist()
    condition = TenantItem.pk.exists() & still_current
    actions: list[Any] = [
        current.set(version),
        TenantItem.identity_secret_created_at.set(created_at),
    ]
    if previous_until is None:
        actions.append(TenantItem.identity_secret_previous_until.remove())
    else:
        actions.append(TenantItem.identity_secret_previous_until.set(previous_until))
    try:
        TenantItem(*keys.tenant_key(tenant_id)).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True


def set_identity_verification(tenant_id: str, enabled: bool) -> bool:
    """Turn identity verification on or off; turning it on is conditional on an identity
    secret having been created. False when that condition (or the tenant's existence) fails."""
    condition = TenantItem.pk.exists()
    if enabled:
        condition = condition & (TenantItem.identity_secret_version > 0)
    try:
        TenantItem(*keys.tenant_key(tenant_id)).update(
            actions=[TenantItem.identity_verification_enabled.set(enabled)], condition=condition
        )
    except UpdateError as exc:
        if _conditional_failed(exc):
            return False
        raise
    return True
