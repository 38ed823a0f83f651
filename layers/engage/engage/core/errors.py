"""Domain exceptions and the one error envelope (DESIGN.md section 3; seeds 000 section 4, 004).

Services raise these; `install_error_handlers` (core/http.py) is the only place that turns them
into `{"success": false, "error", "message", "details"}` responses. `raises` marks a FastAPI
dependency with the errors it raises, so every operation using it documents them in OpenAPI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
RAISES_ATTRIBUTE = "__engage_raises__"


class EngageError(Exception):
    """Base of every error a client may see. `code` and `status` follow DESIGN.md section 3."""

    code = "internal_error"
    status = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(EngageError):
    """400: the request is malformed; `details` says which field and why."""

    code, status = "validation_error", 400


class Unauthorized(EngageError):
    """401: no valid credentials."""

    code, status = "unauthorized", 401


class InsufficientCredits(EngageError):
    """402: the tenant's credits do not cover the send."""

    code, status = "insufficient_credits", 402


class Forbidden(EngageError):
    """403: authenticated but not allowed (also: a webhook signature that does not match)."""

    code, status = "forbidden", 403


class NotFound(EngageError):
    """404: no such resource for this tenant (another tenant's ids are 404 too)."""

    code, status = "not_found", 404


class Conflict(EngageError):
    """409: the resource's state forbids the action, or it already exists."""

    code, status = "conflict", 409


class PayloadTooLarge(EngageError):
    """413: the upload exceeds the configured limit."""

    code, status = "payload_too_large", 413


class ProviderFailed(EngageError):
    """502: a provider (Amazon Chime SDK, ...) refused or failed the call; nothing was kept.
    `details.reason` is the provider's error code (never a credential)."""

    code, status = "provider_error", 502


class RateLimited(EngageError):
    """429: too many requests; `retry_after` seconds until the window resets."""

    code, status = "rate_limited", 429

    def __init__(
        self, message: str, retry_after: int, limit: int, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, details)
        self.retry_after = retry_after
        self.limit = limit


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error envelope as a dict: `{"success": False, "error", "message", "details"}`."""
    return {"success": False, "error": code, "message": message, "details": details or {}}


def raises(*errors: type[EngageError]) -> Callable[[F], F]:
    """Mark a FastAPI dependency (or route function) with the errors it raises.

    `create_app`'s OpenAPI document then lists each error's status, with the error envelope as
    its body, on every operation that uses it: `@raises(RateLimited)` on a rate-limit dependency
    documents 429 wherever the dependency is used. The function itself is unchanged.
    """

    def mark(fn: F) -> F:
        known: tuple[type[EngageError], ...] = getattr(fn, RAISES_ATTRIBUTE, ())
        setattr(fn, RAISES_ATTRIBUTE, (*known, *errors))
        return fn

    return mark
