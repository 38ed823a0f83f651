"""Account wire schemas (issue 9 "Admin console API": account, identity secret; seed 001:
snake_case, bare resources)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


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


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COLOR = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?$")


class AccountBranding(PublicModel):
    """The stored profile and branding document (every field optional)."""

    contact_email: str | None = None
    company: str | None = None
    website: str | None = None
    logo_url: str | None = None
    primary_color: str | None = None
    widget_greeting: str | None = None


class IdentitySecretStatePublic(PublicModel):
    """Whether an identity secret exists (never the secret itself)."""

    exists: bool
    version: int = Field(ge=0, description="0 until the first POST /admin/account/identity-secret")
    created_at: str | None
    previous_secret_expires_at: str | None = Field(
        description="while the previous secret still verifies hashes: until when"
    )


class AccountPublic(AccountBranding):
    """GET/PUT /admin/account: the tenant's profile, branding and identity verification."""

    id: str = Field(description="the tenant id: the `app id` of the SDKs and quickstart")
    name: str
    created_at: str
    identity_verification_enabled: bool
    identity_secret: IdentitySecretStatePublic


class AccountUpdate(CheckedText, RequestModel):
    """PUT /admin/account body: any subset; `null` clears an optional field (not `name`).
    Turning `identity_verification_enabled` on before an identity secret exists is a 409."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    contact_email: str | None = Field(default=None, max_length=254)
    company: str | None = Field(default=None, max_length=100)
    website: str | None = Field(default=None, max_length=500)
    logo_url: str | None = Field(default=None, max_length=500)
    primary_color: str | None = Field(default=None, description="#RRGGBB or #RGB")
    widget_greeting: str | None = Field(default=None, max_length=280)
    identity_verification_enabled: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("must not be blank")
        return v.strip() if v is not None else v

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError("must be an e-mail address")
        return v.strip().lower() if v is not None else v

    @field_validator("website", "logo_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not _HTTPS_URL.match(v):
            raise ValueError("must be an https:// URL")
        return v

    @field_validator("primary_color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is not None and not _COLOR.match(v):
            raise ValueError("must be a hex colour such as #1F6FEB")
        return v.upper() if v is not None else v
