"""The OpenAPI document every app serves, and its pages (`/docs`, `/redoc`) with no internet.

FastAPI documents a 422 on every operation with a parameter or a body; Engage never sends one
(a bad request is a 400 in the error envelope). `document_errors` replaces it, in one place,
by the error responses each operation can really send, all with `ErrorBody` as their body:

| status | documented on |
|---|---|
| 400 `validation_error` | every operation with a parameter or a body (they are validated) |
| 401 `unauthorized` | every operation with the bearer security scheme (core/auth.py) |
| 404 `not_found` | every operation with a path parameter |
| 403 `forbidden` | every operation taking a provider signature header (`X-Twilio-Signature`) |
| 409 `conflict` | every operation taking an `Idempotency-Key` (same key, other body) |
| 413 `payload_too_large` | every operation with a `multipart/form-data` upload |
| any | a dependency or route marked `@raises(...)` (core/errors.py), or `responses=` |

A route documents another error itself with `responses=error_responses(InsufficientCredits)`.

The pages are FastAPI's self-hosting recipe ("Custom Docs UI Static Assets") as packaged by
`fastapi-offline`: Swagger UI and ReDoc load their scripts and styles from `/docs/assets`, not
from a CDN. Swagger UI keeps the token given to its Authorize button across reloads
(`persistAuthorization`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.routing import BaseRoute

from engage.core.errors import RAISES_ATTRIBUTE, EngageError
from engage.core.schemas import ErrorBody
from engage.core.version import engage_version

DOCS_ASSETS = "/docs/assets"
SWAGGER_UI_PARAMETERS = {"persistAuthorization": True, "displayRequestDuration": True}
_REF = "#/components/schemas/ErrorBody"
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
DESCRIPTIONS = {
    400: "`validation_error`: the request is malformed; `details` names each bad field and why.",
    401: "`unauthorized`: no access token, or a malformed, forged or expired one.",
    402: "`insufficient_credits`: the tenant's credits do not cover it; nothing was done.",
    403: "`forbidden`: not allowed (for a provider callback: the signature does not match).",
    404: "`not_found`: no such resource for this tenant (another tenant's ids are 404 too).",
    409: "`conflict`: the resource's state forbids it, it exists already, or the "
    "`Idempotency-Key` was used with another request.",
    413: "`payload_too_large`: the upload is larger than the configured limit.",
    429: "`rate_limited`: too many requests; `Retry-After` gives the seconds to wait.",
    502: "`provider_error`: the provider refused or failed; `details.reason` is its code.",
}


def new_app(title: str) -> FastAPI:
    """A FastAPI app titled `title`, versioned from the package metadata, whose `/docs` and
    `/redoc` pages load their assets from `DOCS_ASSETS` (fastapi-offline's files)."""
    return FastAPIOffline(
        title=title,
        version=engage_version(),
        static_url=DOCS_ASSETS,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )


def error_responses(*errors: type[EngageError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that can send these errors: each status with `ErrorBody`."""
    return {
        e.status: {"model": ErrorBody, "description": DESCRIPTIONS.get(e.status, e.code)}
        for e in errors
    }


def install_openapi(app: FastAPI) -> None:
    """Serve `document_errors` of FastAPI's document as `app`'s `/openapi.json` (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(FastAPI.openapi(app), app.routes)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(schema: dict[str, Any], routes: Iterable[BaseRoute]) -> dict[str, Any]:
    """`schema` with 422 and its schemas gone, and each operation's error responses added (see
    the module docstring). Mutates and returns `schema`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        components.pop(name, None)
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in body.pop("$defs", {}).items():
        components.setdefault(name, definition)
    components.setdefault("ErrorBody", body)
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        marked = _marked_statuses(route)
        for method in route.methods:
            operation = schema["paths"].get(route.path_format, {}).get(method.lower())
            if operation is not None:
                _document(operation, route.path_format, marked)
    return schema


def _document(operation: dict[str, Any], path: str, marked: set[int]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)
    params = operation.get("parameters", [])
    content = operation.get("requestBody", {}).get("content", {})
    statuses = set(marked)
    if params or content:
        statuses.add(400)
    if operation.get("security"):
        statuses.add(401)
    if "{" in path:
        statuses.add(404)
    headers = {p["name"].lower() for p in params if p.get("in") == "header"}
    if any(name.endswith("-signature") for name in headers):
        statuses.add(403)
    if "idempotency-key" in headers:
        statuses.add(409)
    if "multipart/form-data" in content:
        statuses.add(413)
    for status in statuses:
        responses.setdefault(
            str(status),
            {
                "description": DESCRIPTIONS.get(status, "error"),
                "content": {"application/json": {"schema": {"$ref": _REF}}},
            },
        )
    operation["responses"] = dict(sorted(responses.items()))


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[Any]:
    """Every API route of an app as its OpenAPI document sees it: with the prefixes and the
    dependencies of the routers that include it (`path_format`, `methods`, `dependant`,
    `response_model`, `body_field`, `include_in_schema`). FastAPI 0.16x keeps included routers
    whole (`iter_route_contexts` walks them); older versions copy their routes into the app."""
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is None:
        yield from (r for r in routes if isinstance(r, APIRoute))
        return
    for context in contexts(list(routes)):
        if isinstance(context.original_route, APIRoute):
            yield context


def _marked_statuses(route: Any) -> set[int]:
    """Statuses of the errors that the route's function and dependencies are marked to raise."""
    statuses: set[int] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        errors: tuple[type[EngageError], ...] = getattr(dependant.call, RAISES_ATTRIBUTE, ())
        statuses.update(e.status for e in errors)
        stack.extend(dependant.dependencies)
    return statuses
