"""Bearer-token authentication and the tenant dependency (DESIGN.md section 2; seed 001 auth).

Access tokens are made and checked in core/tokens.py (HS256 JWTs, PyJWT, the algorithm list
pinned; re-exported here). Every route takes its tenant from the token (`CurrentPrincipal`),
never from the body, query or path.

`CurrentPrincipal` reads the token through FastAPI's `HTTPBearer` (`auto_error=False`), so every
operation using it carries the `bearerAuth` security scheme in `/openapi.json` (and `/docs` has
an Authorize button); a missing, malformed or non-Bearer header is still our 401 `unauthorized`
in the error envelope, not FastAPI's own error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from engage.auth import members
from engage.core.errors import Forbidden, Unauthorized, raises
from engage.core.roles import Role
from engage.core.tokens import (
    ALGORITHM,
    AUDIENCE,
    Principal,
    decode_access_token,
    issue_access_token,
    signing_key,
)

__all__ = [
    "ALGORITHM",
    "AUDIENCE",
    "AdminPrincipal",
    "AgentPrincipal",
    "CurrentPrincipal",
    "OwnerPrincipal",
    "Principal",
    "ViewerPrincipal",
    "decode_access_token",
    "get_principal",
    "issue_access_token",
    "signing_key",
]

SECURITY_SCHEME = "bearerAuth"

bearer = HTTPBearer(
    scheme_name=SECURITY_SCHEME,
    bearerFormat="JWT",
    description="The `access_token` of `POST /auth/login`, `/auth/register` or `/auth/refresh`.",
    auto_error=False,
)


@raises(Unauthorized)
def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """FastAPI dependency: the caller from `Authorization: Bearer <token>`; raises
    Unauthorized (401) when the header is missing, is not Bearer, the token is invalid, or
    its member was removed or deactivated since (the role is the stored one: auth/members)."""
    token = credentials.credentials.strip() if credentials else ""
    if not token:
        raise Unauthorized("Authentication required")
    principal = members.current(decode_access_token(token))
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(minimum: Role) -> Callable[[Principal], Principal]:
    """A dependency: the signed-in member, if their current role is at least `minimum`;
    raises Forbidden (403) otherwise (core/roles.py)."""

    @raises(Forbidden)
    def dependency(principal: CurrentPrincipal) -> Principal:
        role = Role.parse(principal.role)
        if not role.at_least(minimum):
            raise Forbidden(
                f"This needs the {minimum.value} role or higher",
                {"role": role.value, "required": minimum.value},
            )
        return principal

    dependency.__name__ = f"require_{minimum.value}"
    return dependency


ViewerPrincipal = Annotated[Principal, Depends(require(Role.VIEWER))]
"""Any active member: reads."""
AgentPrincipal = Annotated[Principal, Depends(require(Role.AGENT))]
"""Agents and above: working conversations."""
AdminPrincipal = Annotated[Principal, Depends(require(Role.ADMIN))]
"""Admins and owners: campaigns, contacts, segments, automations, settings, voice, team, keys."""
OwnerPrincipal = Annotated[Principal, Depends(require(Role.OWNER))]
"""Owners: ownership (and, later, billing)."""
