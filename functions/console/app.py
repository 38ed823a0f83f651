"""console group (issue 9 "Admin console API"): API keys, the account and its identity secret.

Answers are bare resources and lists `{"data": [...], "next_cursor"}` in snake_case (seed 001).
Every route needs an admin (keys and the identity secret are admin business: README "Roles").
Answers that carry a secret (a new key, a rotated key, the identity secret) are `no-store`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engage.account import identity
from engage.account.schemas import IdentitySecretPublic
from engage.apikeys import service as apikeys
from engage.apikeys.schemas import (
    ApiKeyCreate,
    ApiKeyCreatedPublic,
    ApiKeyPage,
    ApiKeyPublic,
    ApiKeyRotatedPublic,
)
from engage.core.auth import AdminPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app

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


app = create_app("console", [router])
handler = http_handler(app)
