"""Account wire schemas (issue 9 "Admin console API": account, identity secret; seed 001:
snake_case, bare resources)."""

from __future__ import annotations

from pydantic import Field

from engage.core.schemas import PublicModel


class IdentitySecretPublic(PublicModel):
    """The answer of POST /admin/account/identity-secret: the secret, shown here only."""

    identity_secret: str = Field(
        description="64 hex characters; X-User-Hash = hex HMAC-SHA256(this, X-User-Id). "
        "Keep it on your server; it cannot be shown again (rotate to get a new one)"
    )
    version: int = Field(ge=1)
    created_at: str
    previous_secret_expires_at: str | None = Field(
        description="after a rotation: until when hashes made with the previous secret pass"
    )
    grace_period_seconds: int = Field(ge=0)
