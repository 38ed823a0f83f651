"""Wire base classes every endpoint group shares (DESIGN.md section 3; seed 004 "Response Format").

- `RequestModel`: the base of every request body. Unknown fields are a 400 (`extra="forbid"`),
  so a typo in a field name is reported instead of silently ignored.
- `PublicModel`: the base of every response schema (`*Public`). Responses are built from
  service dicts, so it reads fields by alias or by name.
- `Ok[T]`: seed 004's success envelope `{"success": true, "data": T}`.
- `Paged[T]`: seed 004's paginated envelope `{"success": true, "data": [T], "pagination"}`.
- `ErrorBody`: the one error envelope `{"success": false, "error", "message", "details"}`.

Routes declare `response_model=Ok[ContactPublic]` (or return-annotate it), so `/openapi.json`
describes every success body a frontend generates a client from.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, JsonValue

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields are refused (400 in the error envelope)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class PublicModel(BaseModel):
    """Base of response schemas: built from service dicts by alias or by field name."""

    model_config = ConfigDict(populate_by_name=True, from_attributes=True)


class Ok(PublicModel, Generic[T]):
    """`{"success": true, "data": T}` (seed 004 "Response Format")."""

    success: Literal[True] = True
    data: T


class OkMessage(Ok[T], Generic[T]):
    """`{"success": true, "data": T, "message": "..."}`: a success that also says what next."""

    message: str


class Pagination(PublicModel):
    """Seed 004's pagination block."""

    page: int = Field(ge=1)
    pageSize: int = Field(ge=0)
    total: int = Field(ge=0)
    totalPages: int = Field(ge=0)
    hasNextPage: bool
    hasPrevPage: bool


class Paged(PublicModel, Generic[T]):
    """`{"success": true, "data": [T], "pagination": {...}}` (seed 004 paginated lists)."""

    success: Literal[True] = True
    data: list[T]
    pagination: Pagination


class ErrorCode(StrEnum):
    """The machine-readable `error` of the error envelope (DESIGN.md section 3), one per status:
    400, 401, 402, 403, 404, 409, 413, 429, 500 and 502 (a provider refused or failed)."""

    VALIDATION_ERROR = "validation_error"
    UNAUTHORIZED = "unauthorized"
    INSUFFICIENT_CREDITS = "insufficient_credits"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    INTERNAL_ERROR = "internal_error"
    PROVIDER_ERROR = "provider_error"


class ErrorBody(PublicModel):
    """The one error envelope of DESIGN.md section 3; `details` says which field and why
    (field path -> reason; strings quoted from the request are cut to 200 characters)."""

    success: Literal[False] = False
    error: ErrorCode = Field(description="machine-readable code; the HTTP status matches it")
    message: str = Field(description="human-readable; do not parse")
    details: dict[str, JsonValue] = Field(default_factory=dict)


class Deleted(PublicModel):
    """`{"id": ..., "deleted": true}`: the data of a successful DELETE."""

    id: str
    deleted: Literal[True] = True
