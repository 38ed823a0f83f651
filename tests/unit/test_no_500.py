"""No input gives a 500 (issue 8 section 4): hostile bodies, paths and error details, driven
through the merged app of every group (the `h` harness), plus a fuzz over a few routes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engage.core.errors import ValidationFailed
from engage.core.guard import MAX_JSON_DEPTH, json_depth_exceeds, lone_surrogate_at
from engage.core.http import MAX_ECHO, create_app, printable
from tests.unit.test_voice_flow import SEED_BODY

LONE = "\ud800"


def send_json(h: Any, method: str, path: str, headers: dict[str, str], body: Any) -> Any:
    """Send `body` as JSON text with `\\uXXXX` escapes (how a browser's JSON.stringify sends a
    lone surrogate; httpx's own encoder would refuse it)."""
    return h.client.request(
        method,
        path,
        headers={**headers, "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )


def assert_400(resp: Any, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["success"] is False and body["error"] == "validation_error", body
    assert resp.headers["X-Request-Id"]
    if field is not None:
        assert field in body["details"], body
    return body


def deep(levels: int, opener: str = "[", closer: str = "]") -> bytes:
    return (opener * levels + closer * levels).encode()


def deep_object(levels: int) -> bytes:
    return ('{"a":' * levels + "1" + "}" * levels).encode()


# -- JSON nested 100,000 deep ------------------------------------------------------------------
@pytest.mark.parametrize("body", [deep(100_000), deep_object(100_000)], ids=["array", "object"])
def test_a_body_nested_100000_deep_on_enqueue_is_a_400(h, body):
    headers = h.register()
    campaign = h.campaign(headers)

    resp = h.client.post(
        f"/campaigns/{campaign['id']}/enqueue",
        headers={**headers, "Content-Type": "application/json"},
        content=body,
    )

    assert_400(resp, "body")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/campaigns"),
        ("POST", "/contacts"),
        ("PUT", "/api/settings/concurrency"),
        ("POST", "/api/campaigns/upload-csv"),
        ("POST", "/auth/login"),
    ],
)
def test_a_deep_body_is_a_400_on_any_route_whatever_its_content_type(h, method, path):
    headers = h.register()
    for content_type in ("application/json", "text/plain", None):
        extra = {"Content-Type": content_type} if content_type else {}
        resp = h.client.request(
            method, path, headers={**headers, **extra}, content=deep_object(100_000)
        )
        assert_400(resp, "body")


def test_nesting_up_to_the_limit_reaches_the_route(h):
    headers = h.register()
    nested = json.loads(deep(MAX_JSON_DEPTH - 1))
    body = {"phone": "+12015550123", "unexpected": nested, "note": "[" * 1000}

    resp = h.client.post("/contacts", headers=headers, json=body)

    details = assert_400(resp)["details"]
    assert "unexpected" in details and "body" not in details  # the route's own check spoke


def test_depth_is_measured_outside_strings():
    brackets_in_a_string = json.dumps({"s": "[" * 10_000}).encode()
    assert not json_depth_exceeds(brackets_in_a_string)
    assert not json_depth_exceeds(deep(MAX_JSON_DEPTH))
    assert json_depth_exceeds(deep(MAX_JSON_DEPTH + 1))
    escaped_quote = b'{"s": "\\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}'
    assert not json_depth_exceeds(escaped_quote)


# -- lone surrogates ---------------------------------------------------------------------------
def test_a_lone_surrogate_in_a_campaign_segment_id_is_a_400_naming_the_field(h):
    headers = h.register()
    body = {"name": "L", "message": "Hi", "audience": {"type": "segment", "segmentId": LONE}}

    resp = send_json(h, "POST", "/campaigns", headers, body)

    assert_400(resp, "audience.segmentId")


def test_a_lone_surrogate_in_a_segment_audience_string_is_a_400(h):
    headers = h.register()
    body = {"name": "L", "message": "Hi", "audience": f"segment:{LONE}"}

    resp = send_json(h, "POST", "/campaigns", headers, body)

    assert_400(resp, "audience")


def test_a_lone_surrogate_as_the_concurrency_limit_is_a_400(h):
    headers = h.register()

    resp = send_json(
        h, "PUT", "/api/settings/concurrency", headers, {"concurrent_calls_limit": LONE}
    )

    assert_400(resp, "concurrent_calls_limit")
    assert h.client.get("/api/settings/concurrency", headers=headers).status_code == 200


def test_a_lone_surrogate_in_a_voice_csv_row_name_is_a_400_and_nothing_is_created(h):
    headers = h.register()
    body = {**SEED_BODY, "csv_data": [{**SEED_BODY["csv_data"][0], "name": f"Jo{LONE}hn"}]}

    resp = send_json(h, "POST", "/api/campaigns/upload-csv", headers, body)

    assert_400(resp, "csv_data.0.name")
    listed = h.client.get("/api/campaigns", headers=headers)
    assert listed.status_code == 200 and "Q4 Sales Campaign" not in listed.text


def test_a_lone_surrogate_in_a_key_or_as_raw_bytes_is_a_400(h):
    headers = h.register()
    resp = send_json(h, "POST", "/contacts", headers, {"phone": "+12015550123", LONE: "x"})
    assert_400(resp)
    raw = b'{"phone": "+12015550123", "firstName": "\xed\xa0\x80"}'  # CESU-8, not UTF-8
    resp = h.client.post(
        "/contacts", headers={**headers, "Content-Type": "application/json"}, content=raw
    )
    assert_400(resp, "body")


def test_a_surrogate_pair_is_a_character_and_is_accepted(h):
    headers = h.register()
    body = {"phone": "+12015550123", "firstName": "Ann \U0001f600", "smsConsent": "opted_in"}

    resp = send_json(h, "POST", "/contacts", headers, body)  # sent as "\ud83d\ude00"

    assert resp.status_code == 201, resp.text
    assert resp.json()["data"]["firstName"] == "Ann \U0001f600"


def test_a_lone_surrogate_in_the_path_is_a_400():
    app = create_app("test", [])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/contacts/{LONE}",
        "raw_path": b"/contacts/%ED%A0%80",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))

    assert sent[0]["status"] == 400
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert body["error"] == "validation_error" and "path" in body["details"]


def test_lone_surrogates_are_found_at_any_depth_and_named_by_their_path():
    assert lone_surrogate_at({"a": [{"b": "ok"}, {"c": f"x{LONE}"}]}) == "a.1.c"
    assert lone_surrogate_at(["\U0001f600", {"ok": 1}]) is None
    assert lone_surrogate_at(LONE) == ""


# -- writing an error never fails ---------------------------------------------------------------
router = APIRouter()


@router.get("/echo")
def echo(kind: str) -> None:
    """Raise errors that quote hostile input back, as a careless service would."""
    huge = "x" * 1_000_000
    details: dict[str, Any] = {
        "surrogate": {"received": LONE, LONE: f"key{LONE}"},
        "huge": {"received": huge},
        "object": {"received": object(), "nan": float("nan"), "bytes": b"\xff"},
        "deep": {"received": json.loads(deep_object(500))},
        "many": {str(i): i for i in range(10_000)},
    }[kind]
    raise ValidationFailed(f"bad {LONE} {huge[:10_000]}", details)


@pytest.mark.parametrize("kind", ["surrogate", "huge", "object", "deep", "many"])
def test_the_error_handler_writes_any_quoted_input_safely(kind):
    client = TestClient(create_app("echo", [router]), raise_server_exceptions=False)

    resp = client.get("/echo", params={"kind": kind})

    body = assert_400(resp)
    assert len(resp.content) < 20_000
    assert len(body["message"]) <= MAX_ECHO + 1


def test_printable_cuts_and_repairs_what_it_quotes():
    assert printable(f"a{LONE}b") == "a\ufffdb"
    assert printable("é" * 500) == "é" * MAX_ECHO + "…"
    assert printable({1: (1, 2), "x": {"y"}}) == {"1": [1, 2], "x": ["y"]}
    assert printable(float("inf")) == "inf"


# -- fuzz ----------------------------------------------------------------------------------------
json_text = st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
    | st.sampled_from([LONE, "\udfff", "\U0001f600", "\x00", '"', "\\", "{"]),
    max_size=12,
) | st.sampled_from(["segment:", "all", "+12015550123", "opted_in"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | json_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(json_text, children, max_size=4)
    ),
    max_leaves=12,
)
FUZZED = [
    ("POST", "/campaigns", ("name", "message", "audience", "scheduleAt")),
    ("PUT", "/api/settings/concurrency", ("concurrent_calls_limit",)),
    ("POST", "/api/campaigns/upload-csv", ("campaign_name", "csv_data", "agent_id")),
    ("POST", "/contacts", ("phone", "phoneE164", "firstName", "smsConsent")),
    ("POST", "/audiences/segments", ("name", "criteria")),
]


@pytest.mark.parametrize(("method", "path", "fields"), FUZZED, ids=[p for _, p, _ in FUZZED])
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_fuzzed_bodies_never_give_a_500(h, method, path, fields, data):
    if not hasattr(h, "fuzz_headers"):
        h.fuzz_headers = h.register()
    body = data.draw(
        st.one_of(
            json_values,
            st.fixed_dictionaries({}, optional={f: json_values for f in fields}),
        )
    )

    resp = send_json(h, method, path, h.fuzz_headers, body)

    assert resp.status_code < 500, (body, resp.text)
    assert resp.json()["success"] is (resp.status_code < 400)
