"""The end-user dependency of the `/v1` routes (issue 9 "End-user client API"): FastAPI reads
`X-API-Key` through an `APIKeyHeader` security scheme (`apiKeyAuth`, `auto_error=False`), so
every operation using it carries the scheme in `/openapi.json`, and `X-User-Id` /
`X-User-Hash` as documented header parameters (OpenAPI cannot say "these three together" with
three schemes: a list of schemes means any one of them). Every failure is our 401
`unauthorized` envelope (auth.py), never FastAPI's own error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader

from engage.core.errors import Unauthorized, raises
from engage.endusers.auth import EndUser, authenticate

SECURITY_SCHEME = "apiKeyAuth"

api_key_header = APIKeyHeader(
    name="X-API-Key",
    scheme_name=SECURITY_SCHEME,
    description=(
        "A publishable (`pk_...`) or secret (`sk_...`) key of `POST /admin/api-keys`, with the "
        "end user's id in `X-User-Id` (and `X-User-Hash` when identity verification is on)."
    ),
    auto_error=False,
)


@raises(Unauthorized)
def get_end_user(
    request: Request,
    api_key: Annotated[str | None, Depends(api_key_header)],
    user_id: Annotated[
        str | None,
        Header(alias="X-User-Id", description="your own id for the end user (1-128 chars)"),
    ] = None,
    user_hash: Annotated[
        str | None,
        Header(
            alias="X-User-Hash",
            description="hex HMAC-SHA256(identity secret, X-User-Id); needed with a "
            "publishable key when identity verification is on",
        ),
    ] = None,
) -> EndUser:
    """FastAPI dependency: the end user of the request (auth.authenticate); raises
    Unauthorized (401)."""
    end_user = authenticate(api_key, user_id, user_hash)
    request.state.end_user = end_user
    return end_user


CurrentEndUser = Annotated[EndUser, Depends(get_end_user)]
