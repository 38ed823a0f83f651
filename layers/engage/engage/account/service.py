"""The account of the console (issue 9 `GET/PUT /admin/account`): profile, branding and
identity verification on or off. Storage is the tenant item (engage/tenants/store.py); the
identity secret itself is engage/account/identity.py's.

PUT merges the given fields into the stored document (read, merge, one write: concurrent PUTs
of different fields may lose one another's change; the last write wins).
"""

from __future__ import annotations

from typing import Any

from engage.account import identity
from engage.account.schemas import (
    AccountBranding,
    AccountPublic,
    AccountUpdate,
    IdentitySecretStatePublic,
)
from engage.core import clock
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.tenants import store as tenants_store
from engage.tenants.models import TenantItem


def _tenant(tenant_id: str) -> TenantItem:
    item = tenants_store.get(tenant_id)
    if item is None:
        raise NotFound("Tenant not found")
    return item


def _public(tenant_id: str, item: TenantItem) -> AccountPublic:
    state = identity.state_of_item(tenant_id, item)
    previous = state.previous_until
    if previous is not None and previous <= clock.now_iso():
        previous = None
    branding = AccountBranding.model_validate(item.account or {})
    return AccountPublic(
        **branding.model_dump(),
        id=tenant_id,
        name=item.name,
        created_at=item.created_at,
        identity_verification_enabled=state.enabled,
        identity_secret=IdentitySecretStatePublic(
            exists=state.version > 0,
            version=state.version,
            created_at=item.identity_secret_created_at,
            previous_secret_expires_at=previous,
        ),
    )


def get_account(tenant_id: str) -> AccountPublic:
    """The account; raises NotFound."""
    return _public(tenant_id, _tenant(tenant_id))


def update_account(tenant_id: str, patch: AccountUpdate) -> AccountPublic:
    """Apply `patch` (fields sent; `null` clears an optional one) in one write and answer the
    account. Raises ValidationFailed for a `null` name or flag, Conflict (409) when turning
    identity verification on before an identity secret exists, NotFound."""
    sent: dict[str, Any] = patch.model_dump(exclude_unset=True)
    for required in ("name", "identity_verification_enabled"):
        if required in sent and sent[required] is None:
            raise ValidationFailed("Invalid request", {required: "cannot be null"})
    name = sent.pop("name", None)
    verification = sent.pop("identity_verification_enabled", None)
    account = None
    if sent:
        current = AccountBranding.model_validate(_tenant(tenant_id).account or {}).model_dump()
        current.update(sent)
        account = AccountBranding.model_validate(current).model_dump()
    if not tenants_store.update_account(
        tenant_id, name=name, account=account, identity_verification=verification
    ):
        _tenant(tenant_id)
        raise Conflict(
            "Create the identity secret first (POST /admin/account/identity-secret)",
            {"identity_verification_enabled": "no identity secret yet"},
        )
    return get_account(tenant_id)
