"""API key wire schemas (issue 9 "Keys"; seed 001: snake_case, bare resources, lists as
`{"data": [...], "next_cursor"}`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from engage.apikeys.models import ApiKeyKind
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


class ApiKeyStatus(StrEnum):
    """`active` until revoked; a revoked key is refused at once and stays listed."""

    ACTIVE = "active"
    REVOKED = "revoked"


class ApiKeyCreate(CheckedText, RequestModel):
    """POST /admin/api-keys body."""

    name: str = Field(min_length=1, max_length=100, description="what the key is for")
    kind: ApiKeyKind


class ApiKeyPublic(PublicModel):
    """A key as the console lists it: never its value."""

    id: str
    name: str
    kind: ApiKeyKind
    prefix: str = Field(description="the key's first 12 characters, to tell keys apart")
    status: ApiKeyStatus
    created_at: str
    last_used_at: str | None = Field(description="ISO 8601 UTC, to the minute at best")
    rotated_at: str | None
    previous_key_expires_at: str | None = Field(
        description="while a rotated-out value still works: when it stops"
    )
    revoked_at: str | None


class ApiKeyCreatedPublic(ApiKeyPublic):
    """The answer of POST /admin/api-keys: `key` is shown here and never again."""

    key: str = Field(description="the key itself; store it now, it cannot be shown again")


class ApiKeyRotatedPublic(ApiKeyCreatedPublic):
    """The answer of POST /admin/api-keys/{id}/rotate: the new `key` (shown once); the old
    value keeps working until `previous_key_expires_at`."""

    grace_period_seconds: int


class ApiKeyPage(PublicModel):
    """`{"data": [key...], "next_cursor"}`: newest first; pass `next_cursor` as `cursor`."""

    data: list[ApiKeyPublic]
    next_cursor: str | None
