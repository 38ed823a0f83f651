"""console group (issue 9 "Admin console API"): API keys, the account and its identity secret.

Answers are bare resources and lists `{"data": [...], "next_cursor"}` in snake_case (seed 001).
Keys and the identity secret need an admin, reads included; the account, usage, onboarding and
quickstart are read by any member and the account changed by an admin (README "Roles").
Answers that carry a secret (a new key, a rotated key, the identity secret) are `no-store`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engage.account import identity, onboarding, quickstart
from engage.account import service as account
from engage.account.guide_schemas import OnboardingPublic, QuickstartPublic
from engage.account.schemas import AccountPublic, AccountUpdate, IdentitySecretPublic
from engage.apikeys import service as apikeys
from engage.apikeys.schemas import (
    ApiKeyCreate,
    ApiKeyCreatedPublic,
    ApiKeyPage,
    ApiKeyPublic,
    ApiKeyRotatedPublic,
)
from engage.core.auth import AdminPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.usage import service as usage
from engage.usage.schemas import UsagePublic

router = APIRouter(prefix="/admin", tags=["console"])
NO_STORE = "no-store"


@router.get("/api-keys")
def list_api_keys(
    principal: AdminPrincipal,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
) -> ApiKeyPage:
    """The tenant's keys, newest first (revoked ones included, marked); never a key's value."""
    return ApiKeyPage.model_validate(apikeys.list_keys(principal.tenant_id, limit, cursor))


@router.post("/api-keys", status_code=201)
def create_api_key(
    body: ApiKeyCreate, principal: AdminPrincipal, response: Response
) -> ApiKeyCreatedPublic:
    """A new key; `key` is in this answer and nowhere else, ever."""
    response.headers["Cache-Control"] = NO_STORE
    created = apikeys.create_key(principal.tenant_id, body.name, body.kind, principal.user_id)
    return ApiKeyCreatedPublic.model_validate(created)


@router.delete("/api-keys/{key_id}")
def revoke_api_key(key_id: str, principal: AdminPrincipal) -> ApiKeyPublic:
    """Revoke a key: refused from the next request on. Revoking it again changes nothing."""
    return ApiKeyPublic.model_validate(apikeys.revoke_key(principal.tenant_id, key_id))


@router.post("/api-keys/{key_id}/rotate")
def rotate_api_key(
    key_id: str, principal: AdminPrincipal, response: Response
) -> ApiKeyRotatedPublic:
    """A new value for the key (shown once); the old one works until
    `previous_key_expires_at` (API_KEY_ROTATION_GRACE_SECONDS)."""
    response.headers["Cache-Control"] = NO_STORE
    return ApiKeyRotatedPublic.model_validate(apikeys.rotate_key(principal.tenant_id, key_id))


@router.post("/account/identity-secret")
def rotate_identity_secret(principal: AdminPrincipal, response: Response) -> IdentitySecretPublic:
    """Create or rotate the identity secret; it is in this answer only (engage/account/
    identity.py)."""
    response.headers["Cache-Control"] = NO_STORE
    return IdentitySecretPublic.model_validate(identity.rotate_secret(principal.tenant_id))


@router.get("/account")
def get_account(principal: ViewerPrincipal) -> AccountPublic:
    """Profile, branding and identity verification (never the identity secret)."""
    return account.get_account(principal.tenant_id)


@router.put("/account")
def put_account(body: AccountUpdate, principal: AdminPrincipal) -> AccountPublic:
    """Change any subset; `null` clears an optional field. Turning identity verification on
    before an identity secret exists is a 409."""
    return account.update_account(principal.tenant_id, body)


@router.get("/account/usage")
def get_usage(
    principal: ViewerPrincipal,
    period: Annotated[str | None, Query(max_length=7, description="YYYY-MM (UTC)")] = None,
) -> UsagePublic:
    """Usage of a calendar month in UTC (this one by default): conversations, messages,
    contacts, SMS sent and credits, from stored counters."""
    return usage.usage(principal.tenant_id, period)


@router.get("/onboarding")
def get_onboarding(principal: ViewerPrincipal) -> OnboardingPublic:
    """The onboarding checklist, computed from the tenant's state."""
    return onboarding.checklist(principal.tenant_id)


@router.get("/docs/quickstart")
def get_quickstart(principal: ViewerPrincipal) -> QuickstartPublic:
    """Snippets with the tenant's app id and URLs (the key as a placeholder: keys are never
    shown again after their creation)."""
    return quickstart.quickstart(principal.tenant_id)


app = create_app("console", [router])
handler = http_handler(app)
