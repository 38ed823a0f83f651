"""Fixed-window rate limits in DynamoDB (atomic ADD, items expire by TTL), with the
`X-RateLimit-Limit` / `-Remaining` / `-Reset` headers of seed 000 section 6."""

from __future__ import annotations

from fastapi import Request

from engage.core import clock
from engage.core.errors import RateLimited, raises
from engage.core.ratelimit_store import count_hit
from engage.core.settings import get_settings

WINDOW_SECONDS = 60


def hit(scope: str, limit: int, request: Request | None = None) -> None:
    """Count one request against `scope`; raises RateLimited (429) past `limit` per minute.
    With `request`, the X-RateLimit-* headers are added to whatever response it gets."""
    now = int(clock.now().timestamp())
    window = now // WINDOW_SECONDS
    reset = (window + 1) * WINDOW_SECONDS - now
    used = count_hit(scope, window, now + 3600)
    if used > limit:
        raise RateLimited("Too many requests; try again later", retry_after=reset, limit=limit)
    if request is not None:
        request.state.rate_limit = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(limit - used, 0)),
            "X-RateLimit-Reset": str(reset),
        }


def client_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (X-Forwarded-For's first hop locally)."""
    ctx = request.scope.get("aws.event", {}).get("requestContext", {})
    source = ctx.get("identity", {}).get("sourceIp")
    if source:
        return str(source)
    return request.client.host if request.client else "unknown"


@raises(RateLimited)
def login_limit(request: Request) -> None:
    """FastAPI dependency for the auth routes: LOGIN_RATE_LIMIT_PER_MINUTE per client IP."""
    hit(f"auth:{client_ip(request)}", get_settings().login_rate_limit_per_minute, request)


@raises(RateLimited)
def refresh_limit(request: Request) -> None:
    """FastAPI dependency for `POST /auth/refresh`: its own per-client budget
    (REFRESH_RATE_LIMIT_PER_MINUTE), apart from the sign-in brute-force budget, since a refresh
    token cannot be guessed."""
    hit(f"refresh:{client_ip(request)}", get_settings().refresh_rate_limit_per_minute, request)
