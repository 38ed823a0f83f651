"""Identity verification (issue 9 "Who is who"; Intercom's identity verification is the anchor).

The tenant's server computes `X-User-Hash` = hex HMAC-SHA256(identity secret, user id) for
each of its end users; when the tenant turns verification on, a publishable key's request must
carry it, so nobody can act as another end user by changing `X-User-Id`.

The identity secret is never stored: it is derived, HMAC-SHA256(master secret,
"identity:<tenantId>:<version>") in hex, and the tenant item keeps only the version
(master_secret_store.py holds the master secret). `POST /admin/account/identity-secret`
creates version 1 or rotates to the next, and is the only answer that shows the secret. After a
rotation the previous version keeps verifying hashes for IDENTITY_SECRET_ROTATION_GRACE_SECONDS
(24 hours by default), so apps holding hashes made with it keep working while the tenant's
server moves to the new secret; rotating again ends an older grace at once.

Turning verification on before a secret exists is a 409 (the secret is shown only by the POST,
so a PUT cannot create one and answer it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from engage.account.master_secret_store import master_secret
from engage.core import clock
from engage.core.errors import Conflict, NotFound
from engage.core.settings import get_settings
from engage.tenants import store as tenants_store
from engage.tenants.models import TenantItem

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class IdentityState:
    """A tenant's identity verification: on or off, the secret's version (0: none), and
    until when (ISO 8601) the previous version still verifies."""

    tenant_id: str
    enabled: bool
    version: int
    previous_until: str | None


def _state(tenant_id: str, item: TenantItem) -> IdentityState:
    return IdentityState(
        tenant_id,
        bool(item.identity_verification_enabled),
        int(item.identity_secret_version or 0),
        item.identity_secret_previous_until,
    )


def state_of(tenant_id: str) -> IdentityState | None:
    """The tenant's identity verification state, or None when there is no such tenant."""
    item = tenants_store.get(tenant_id)
    return None if item is None else _state(tenant_id, item)


def derive_secret(tenant_id: str, version: int) -> str:
    """The identity secret of `tenant_id` at `version` (64 hex characters)."""
    message = f"identity:{tenant_id}:{version}".encode()
    return hmac.new(master_secret(), message, hashlib.sha256).hexdigest()


def user_hash(secret: str, user_id: str) -> str:
    """What the tenant's server sends as `X-User-Hash`: hex HMAC-SHA256(secret, user id)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verify(state: IdentityState, user_id: str, presented: str) -> bool:
    """True when `presented` is the user's hash under the current secret, or under the
    previous one during its grace period (constant-time comparisons)."""
    if state.version < 1 or not _HEX64.match(presented):
        return False
    versions = [state.version]
    if state.version > 1 and state.previous_until and clock.now_iso() < state.previous_until:
        versions.append(state.version - 1)
    presented = presented.lower()
    matches = [
        hmac.compare_digest(user_hash(derive_secret(state.tenant_id, v), user_id), presented)
        for v in versions
    ]
    return any(matches)


def rotate_secret(tenant_id: str) -> dict[str, Any]:
    """Create (first call) or rotate the identity secret: `{identity_secret, version,
    created_at, previous_secret_expires_at, grace_period_seconds}`, the secret shown in this
    answer only. Raises NotFound, or Conflict when a concurrent rotation won."""
    item = tenants_store.get(tenant_id)
    if item is None:
        raise NotFound("Tenant not found")
    current = int(item.identity_secret_version or 0)
    grace = get_settings().identity_secret_rotation_grace_seconds
    previous_until = None
    if current > 0:
        previous_until = clock.iso(clock.now() + dt.timedelta(seconds=grace))
    created_at = clock.now_iso()
    if not tenants_store.set_identity_secret_version(
        tenant_id, current, current + 1, created_at, previous_until
    ):
        raise Conflict("The identity secret was rotated meanwhile; try again")
    return {
        "identity_secret": derive_secret(tenant_id, current + 1),
        "version": current + 1,
        "created_at": created_at,
        "previous_secret_expires_at": previous_until,
        "grace_period_seconds": grace if previous_until else 0,
    }


def set_enabled(tenant_id: str, enabled: bool) -> IdentityState:
    """Turn identity verification on or off. Raises Conflict when turning it on before an
    identity secret was created (POST /admin/account/identity-secret), NotFound for no
    tenant."""
    if not tenants_store.set_identity_verification(tenant_id, enabled):
        if tenants_store.get(tenant_id) is None:
            raise NotFound("Tenant not found")
        raise Conflict(
            "Create the identity secret first (POST /admin/account/identity-secret)",
            {"identity_verification_enabled": "no identity secret yet"},
        )
    state = state_of(tenant_id)
    if state is None:
        raise NotFound("Tenant not found")
    return state
