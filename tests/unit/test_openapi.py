"""The OpenAPI document of the merged app (every group, as `make dev` serves it) tells a frontend
the truth (issue 8 section 2): every success body declared, the bearer scheme on every
protected operation, the error envelope as the error responses, no 422, schema names unique
across groups, and a document an independent validator accepts. `/docs` works offline."""

from __future__ import annotations

import enum
import importlib.metadata
import importlib.resources
import re
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate
from pydantic import BaseModel

from engage.core.openapi import DOCS_ASSETS, api_routes
from local.functions import build_http_app
from tests.conftest import FUNCTIONS

PUBLIC = re.compile(
    r"^/(health|capabilities|r/\{[^}]+\}|u/\{[^}]+\}|webhooks/.*|_local/.*"
    r"|auth/(register|login|refresh|logout))$"  # logout revokes the refresh token of its body
    r"|^/auth/invitations/\{token\}/accept$"  # the invitation token is the credential
)
ERROR_REF = "#/components/schemas/ErrorBody"
METHODS = ("get", "put", "post", "delete", "patch")


@pytest.fixture(scope="module")
def app() -> Any:
    return build_http_app(FUNCTIONS)


@pytest.fixture(scope="module")
def spec(app) -> dict[str, Any]:
    return app.openapi()  # type: ignore[no-any-return]


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", path, item[method]


def report(problems: list[str]) -> str:
    return f"{len(problems)} operation(s) or model(s) to fix:\n  " + "\n  ".join(problems)


# -- the document as a whole -------------------------------------------------------------------
def test_the_document_passes_an_independent_openapi_validator(spec):
    validate(spec)


def test_the_merged_document_has_every_group(spec):
    for path in ("/auth/login", "/campaigns", "/contacts/import", "/api/campaigns", "/health"):
        assert path in spec["paths"], path
    assert spec["info"]["version"] == importlib.metadata.version("engage")


def test_the_bearer_scheme_is_declared_and_fastapi_validation_schemas_are_gone(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["bearerAuth"]["description"],
    }
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert set(schemas["ErrorBody"]["required"]) == {"error", "message"}


# -- every operation ---------------------------------------------------------------------------
def _declared(schema: dict[str, Any]) -> bool:
    """A schema names its fields: a $ref to a model, properties, or an array/union of them."""
    if "$ref" in schema or schema.get("properties"):
        return True
    if schema.get("type") == "array":
        return _declared(schema.get("items", {}))
    return any(
        all(_declared(s) or s.get("type") == "null" for s in schema[k]) and schema[k]
        for k in ("anyOf", "oneOf", "allOf")
        if k in schema
    )


def test_every_operation_declares_its_success_body(spec):
    problems = []
    for name, _, op in operations(spec):
        success = {s: r for s, r in op["responses"].items() if s.startswith("2")}
        if not success and all(s.startswith("3") for s in op["responses"] if s[0] in "23"):
            continue  # a redirect (GET /r/{token})
        for status, response in success.items():
            content = response.get("content", {})
            if "application/json" not in content and (
                not content or "text/html" in content or "application/xml" in content
            ):
                continue  # no body (204), or a page / TwiML answer
            schema = content.get("application/json", {}).get("schema", {})
            if not _declared(schema):
                problems.append(f"{name} -> {status}: no response model ({schema or '{}'})")
        if not success:
            problems.append(f"{name}: no 2xx response")
    assert not problems, report(problems)


def test_every_protected_operation_carries_the_bearer_scheme(spec):
    problems = [
        f"{name}: {'no security' if not PUBLIC.match(path) else 'public but has security'}"
        for name, path, op in operations(spec)
        if bool(op.get("security")) == bool(PUBLIC.match(path))
    ]
    assert not problems, report(problems)
    for _, path, op in operations(spec):
        # end users (`/v1`) present an API key (engage/endusers/deps.py), members a bearer token
        scheme = "apiKeyAuth" if path.startswith("/v1/") else "bearerAuth"
        assert op.get("security") in (None, [{scheme: []}]), path


def test_errors_are_documented_as_the_envelope_and_never_as_422(spec):
    problems = []
    for name, path, op in operations(spec):
        responses = op["responses"]
        expected = set()
        if op.get("parameters") or op.get("requestBody"):
            expected.add("400")
        if op.get("security"):
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if "422" in responses:
            problems.append(f"{name}: documents 422")
        if missing := expected - set(responses):
            problems.append(f"{name}: does not document {sorted(missing)}")
        for status, response in responses.items():
            if status.startswith("4"):  # a 503 from /health is a health report
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": ERROR_REF}:
                    problems.append(f"{name} -> {status}: body is not ErrorBody ({schema})")
    assert not problems, report(problems)


def test_the_contacts_import_upload_is_documented_as_multipart(spec):
    body = spec["paths"]["/contacts/import"]["post"].get("requestBody", {})
    multipart = body.get("content", {}).get("multipart/form-data", {})
    schema = multipart.get("schema", {})
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert "file" in schema.get("properties", {}), body
    assert "413" in spec["paths"]["/contacts/import"]["post"]["responses"]


def test_login_and_register_document_their_rate_limit(spec):
    for path in ("/auth/login", "/auth/register"):
        assert "429" in spec["paths"][path]["post"]["responses"], path


# -- schema names unique across groups ---------------------------------------------------------
def _models(annotation: Any, seen: set[Any]) -> Iterator[type]:
    """Every pydantic model and enum that `annotation` reaches (fields of fields included)."""
    stack = [annotation]
    while stack:
        item = stack.pop()
        if item in seen or item is None:
            continue
        try:
            seen.add(item)
        except TypeError:  # unhashable metadata
            continue
        if isinstance(item, type) and issubclass(item, enum.Enum):
            yield item
        elif isinstance(item, type) and issubclass(item, BaseModel):
            yield item
            stack.extend(f.annotation for f in item.model_fields.values())
        else:
            stack.extend(typing.get_args(item))


def _route_annotations(route: Any) -> Iterator[Any]:
    yield route.response_model
    for response in (route.responses or {}).values():
        yield response.get("model")
    dependants = [route.dependant]
    while dependants:
        dependant = dependants.pop()
        dependants.extend(dependant.dependencies)
        for params in (
            dependant.path_params,
            dependant.query_params,
            dependant.header_params,
            dependant.cookie_params,
            dependant.body_params,
        ):
            yield from (p.field_info.annotation for p in params)


def test_no_two_models_share_a_schema_name(app, spec):
    owners: dict[str, dict[type, set[str]]] = defaultdict(lambda: defaultdict(set))
    for route in api_routes(app.routes):
        if not route.include_in_schema:
            continue
        seen: set[Any] = set()
        for annotation in _route_annotations(route):
            for model in _models(annotation, seen):
                for method in route.methods:
                    owners[model.__name__][model].add(f"{method} {route.path_format}")
    problems = [
        f"{name} names {len(models)} models: "
        + "; ".join(f"{m.__module__} ({', '.join(sorted(ops))})" for m, ops in models.items())
        for name, models in sorted(owners.items())
        if len(models) > 1
    ]
    problems += [
        f"component {name} is a renamed duplicate"
        for name in spec["components"]["schemas"]
        if "__" in name
    ]
    assert not problems, report(problems)


# -- /docs with no internet ----------------------------------------------------------------------
def test_docs_and_redoc_load_their_assets_from_the_project(app):
    client = TestClient(app)
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        sources = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html.text)
        assert sources and all(s.startswith(DOCS_ASSETS) for s in sources), sources
        assert "fonts.googleapis" not in html.text
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200 and len(asset.content) > 1000, source
    docs = client.get("/docs").text
    assert '"persistAuthorization": true' in docs and "/openapi.json" in docs
    assert (
        client.get(f"{DOCS_ASSETS}/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith(("application/javascript", "text/javascript"))
    )


def test_swagger_ui_renders_openapi_3_1():
    """The bundled Swagger UI is 5.x: 4.x (swagger-ui-bundle 1.1.0's) refuses FastAPI's
    `openapi: 3.1.0` documents ("Unable to render this definition")."""
    import fastapi_offline

    bundle = (
        importlib.resources.files(fastapi_offline) / "static" / "swagger-ui-bundle.js"
    ).read_text(encoding="utf-8")
    assert "isOAS31" in bundle and "openapi: 3.1.x" in bundle


def test_a_missing_or_foreign_token_is_a_401_envelope_with_a_bearer_challenge(app):
    client = TestClient(app)
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"}):
        resp = client.get("/auth/me", headers=headers)
        assert resp.status_code == 401, resp.text
        assert resp.json()["error"] == "unauthorized"
        assert resp.headers["WWW-Authenticate"] == "Bearer"
        assert resp.headers["X-Request-Id"]


def test_signed_callbacks_document_403_and_idempotent_posts_409(spec):
    assert "403" in spec["paths"]["/webhooks/sms/{provider}/status"]["post"]["responses"]
    enqueue = spec["paths"]["/campaigns/{campaign_id}/enqueue"]["post"]["responses"]
    assert {"400", "401", "404", "409"} <= set(enqueue)
