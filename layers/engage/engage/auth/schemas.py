"""Auth wire schemas (seed 001: OAuth 2.0 token response with snake_case tokens)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RegisterRequest(BaseModel):
    """POST /auth/register."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(min_length=8, max_length=256)
    tenantName: str = Field(min_length=1, max_length=100)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not _EMAIL.match(v):
            raise ValueError("must be an e-mail address")
        return v.strip().lower()


class LoginRequest(BaseModel):
    """POST /auth/login."""

    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class RefreshRequest(BaseModel):
    """POST /auth/refresh and /auth/logout."""

    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=10, max_length=512)


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1 token response."""

    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
