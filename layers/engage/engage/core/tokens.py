"""Access tokens: HS256 JWTs made and checked with PyJWT (DESIGN.md section 2; seed 001 auth).

The key is `JWT_SECRET`, or the secret named by `JWT_SECRET_ARN` in Secrets Manager when
deployed. Decoding pins the algorithm list, so a token with `alg: none` or another algorithm
is rejected like a forged one. This module loads no web framework: the HTTP dependency lives in
core/auth.py, and the realtime socket handler (a plain Lambda) checks tokens with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt

from engage.core import clock, ids
from engage.core.errors import Unauthorized
from engage.core.settings import get_settings

ALGORITHM = "HS256"
AUDIENCE = "engage-api"


@dataclass(frozen=True)
class Principal:
    """Who is calling: user id, tenant id, role (`owner` | `admin` | `member`) and e-mail."""

    user_id: str
    tenant_id: str
    role: str
    email: str


@lru_cache(maxsize=1)
def signing_key() -> str:
    """The JWT signing key: JWT_SECRET, else the Secrets Manager secret at JWT_SECRET_ARN."""
    settings = get_settings()
    if settings.jwt_secret:
        return settings.jwt_secret
    if settings.jwt_secret_arn:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from engage.core.aws import client

        provider = SecretsProvider(boto3_client=client("secretsmanager"))
        return str(provider.get(settings.jwt_secret_arn, max_age=300))
    raise RuntimeError("JWT_SECRET or JWT_SECRET_ARN must be set")


def issue_access_token(principal: Principal) -> tuple[str, int]:
    """A signed access token for `principal` and its lifetime in seconds."""
    settings = get_settings()
    issued = clock.now()
    ttl = settings.access_token_ttl_seconds
    claims = {
        "sub": principal.user_id,
        "tid": principal.tenant_id,
        "role": principal.role,
        "email": principal.email,
        "iss": settings.jwt_issuer,
        "aud": AUDIENCE,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl)).timestamp()),
        "jti": ids.token(16),
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM), ttl


def decode_access_token(token: str) -> Principal:
    """Verify signature, algorithm, issuer, audience and expiry; raises Unauthorized."""
    settings = get_settings()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "tid"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Access token expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("Invalid access token") from exc
    return Principal(
        user_id=str(claims["sub"]),
        tenant_id=str(claims["tid"]),
        role=str(claims.get("role", "member")),
        email=str(claims.get("email", "")),
    )
