"""End-user sockets with real keys (issue 9 "Realtime"; seed 001 mismatch 2): `$connect`
takes `api_key`, `user_id` and `user_hash` in the query string and checks them exactly as the
`/v1` headers are checked (engage/endusers/auth.py)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.conftest import FUNCTIONS


def _connect(connection_id: str, query: dict[str, str]) -> int:
    context = {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id}
    event = {"requestContext": context, "queryStringParameters": query}
    return int(FUNCTIONS["RealtimeFunction"].invoke(event)["statusCode"])


def _key(h, headers) -> dict:
    resp = h.client.post(
        "/admin/api-keys", headers=headers, json={"name": "app", "kind": "publishable"}
    )
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


@pytest.fixture
def verified(h):
    """A tenant with a publishable key and identity verification on: (key, secret)."""
    from engage.account import identity

    headers = h.register()
    key = _key(h, headers)["key"]
    secret = h.client.post("/admin/account/identity-secret", headers=headers).json()
    tenant = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    identity.set_enabled(tenant, True)
    return key, secret["identity_secret"]


def _hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def test_an_end_user_socket_opens_with_the_right_user_hash(h, verified):
    key, secret = verified
    query = {"api_key": key, "user_id": "alice", "user_hash": _hash(secret, "alice")}
    assert _connect("c1", query) == 200
    from engage.realtime import store

    connection = store.get_connection("c1")
    assert connection is not None and connection.kind == "end_user"
    assert connection.principal_id == "alice"


@pytest.mark.parametrize("user_hash", [None, "0" * 64, "bob"], ids=["none", "wrong", "bobs"])
def test_an_end_user_socket_without_the_right_user_hash_never_opens(h, verified, user_hash):
    key, secret = verified
    query = {"api_key": key, "user_id": "alice"}
    if user_hash is not None:
        query["user_hash"] = _hash(secret, "bob") if user_hash == "bob" else user_hash
    assert _connect("c1", query) == 401
    from engage.realtime import store

    assert store.get_connection("c1") is None


def test_a_revoked_key_opens_no_socket(h):
    headers = h.register()
    created = _key(h, headers)
    assert h.client.delete(f"/admin/api-keys/{created['id']}", headers=headers).status_code in (
        200,
        204,
    )
    assert _connect("c1", {"api_key": created["key"], "user_id": "alice"}) == 401
