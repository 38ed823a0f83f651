"""Auth wire schemas (seed 001: OAuth 2.0 token response with snake_case tokens; `/auth/me`
in the camelCase of the SMS-app groups)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from engage.core.roles import Role
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


AuthRole = Role
"""A team member's role (core/roles.py)."""


class AuthRegister(CheckedText, RequestModel):
    """POST /auth/register."""

    email: str = Field(max_length=254)
    password: str = Field(min_length=8, max_length=256)
    tenant_name: str = Field(alias="tenantName", min_length=1, max_length=100)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not _EMAIL.match(v):
            raise ValueError("must be an e-mail address")
        return v.strip().lower()


class AuthLogin(CheckedText, RequestModel):
    """POST /auth/login."""

    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class AuthRefresh(CheckedText, RequestModel):
    """POST /auth/refresh and /auth/logout: the refresh token of the last token response."""

    refresh_token: str = Field(min_length=10, max_length=512)


class AuthInvitationAccept(CheckedText, RequestModel):
    """POST /auth/invitations/{token}/accept: the new member's password (the policy of
    `/auth/register`) and name."""

    password: str = Field(min_length=8, max_length=256)
    name: str = Field(min_length=1, max_length=100)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


def valid_email(value: str) -> str:
    """`value` trimmed and lower-cased; raises ValueError when it is not an e-mail address."""
    if not _EMAIL.match(value):
        raise ValueError("must be an e-mail address")
    return value.strip().lower()


class AuthTokenPublic(PublicModel):
    """RFC 6749 section 5.1 token response (seed 001: snake_case). `expires_in` is the access
    token's lifetime in seconds."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class AuthUserPublic(_Camel):
    """The signed-in user."""

    id: str
    email: str
    created_at: str


class AuthTenantPublic(_Camel):
    """The signed-in user's tenant and its credit balance."""

    id: str
    name: str
    credits: int


class AuthMePublic(_Camel):
    """GET /auth/me."""

    user: AuthUserPublic
    role: AuthRole
    tenant: AuthTenantPublic


class AuthLoggedOutPublic(_Camel):
    """POST /auth/logout: `{"loggedOut": true}`."""

    logged_out: Literal[True] = True
