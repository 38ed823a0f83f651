"""End-user authentication and identity verification (issue 9 "Who is who"; Intercom's identity
verification): key + user id, the user hash when verification is on, secret keys trusted, the
identity secret shown once and never stored, and the `/v1` dependency's 401 envelope and
OpenAPI scheme."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import boto3
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from engage.account import identity
from engage.core import clock
from engage.core.errors import Conflict, Unauthorized
from engage.core.http import create_app
from engage.core.schemas import PublicModel
from engage.endusers.auth import authenticate
from engage.endusers.deps import CurrentEndUser


def tenant_of(h, headers: dict) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def new_key(h, headers: dict, kind: str = "publishable") -> str:
    resp = h.client.post("/admin/api-keys", headers=headers, json={"name": "app", "kind": kind})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["key"])


def new_secret(h, headers: dict) -> dict:
    resp = h.client.post("/admin/account/identity-secret", headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def user_hash(secret: str, user_id: str) -> str:
    """The recipe a tenant's server follows (README "Chat platform")."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def refused(key: str | None, user_id: str | None, user_hash: str | None = None) -> str:
    with pytest.raises(Unauthorized) as caught:
        authenticate(key, user_id, user_hash)
    return caught.value.message


@pytest.fixture
def verified(h):
    """A tenant with identity verification on: (owner headers, publishable key, secret)."""
    owner = h.register()
    key = new_key(h, owner)
    secret = new_secret(h, owner)["identity_secret"]
    identity.set_enabled(tenant_of(h, owner), True)
    return owner, key, secret


# -- key and user id ----------------------------------------------------------------------------
def test_a_missing_or_unknown_key_is_refused(h):
    assert "API key is required" in refused(None, "u1")
    assert "Invalid" in refused("pk_test_" + "a" * 40, "u1")
    assert "Invalid" in refused("not-a-key", "u1")


@pytest.mark.parametrize("user_id", [None, "", "x" * 129, "tab\there", " padded", "nul\x00"])
def test_a_missing_or_invalid_user_id_is_refused(h, user_id):
    owner = h.register()
    key = new_key(h, owner)
    assert "X-User-Id" in refused(key, user_id)


def test_a_publishable_key_needs_no_hash_while_verification_is_off(h):
    owner = h.register()
    user = authenticate(new_key(h, owner), "user-1", None)
    assert user.user_id == "user-1" and not user.trusted


# -- identity verification ----------------------------------------------------------------------
def test_verification_on_refuses_a_missing_hash(h, verified):
    _, key, _ = verified
    assert "X-User-Hash is required" in refused(key, "user-1")


def test_verification_on_refuses_a_wrong_hash(h, verified):
    _, key, secret = verified
    assert "does not match" in refused(key, "user-1", "0" * 64)
    assert "does not match" in refused(key, "user-1", user_hash(secret, "user-2"))
    assert "does not match" in refused(key, "user-1", "short")


def test_verification_on_accepts_the_users_own_hash(h, verified):
    _, key, secret = verified
    user = authenticate(key, "user-1", user_hash(secret, "user-1"))
    assert user.user_id == "user-1" and not user.trusted
    assert authenticate(key, "user-1", user_hash(secret, "user-1").upper()).user_id == "user-1"


def test_a_secret_key_is_trusted_for_any_user_without_a_hash(h, verified):
    owner, _, _ = verified
    user = authenticate(new_key(h, owner, kind="secret"), "anyone", None)
    assert user.trusted and user.user_id == "anyone"


def test_verification_cannot_be_turned_on_before_a_secret_exists(h):
    owner = h.register()
    with pytest.raises(Conflict):
        identity.set_enabled(tenant_of(h, owner), True)


def test_another_tenants_secret_does_not_verify(h, verified):
    _, key, _ = verified
    other = h.register(email="other@else.test", tenant="Else")
    foreign = new_secret(h, other)["identity_secret"]
    assert "does not match" in refused(key, "user-1", user_hash(foreign, "user-1"))


# -- the identity secret ------------------------------------------------------------------------
def test_the_identity_secret_is_shown_in_its_answer_and_never_stored(h):
    owner = h.register()
    resp = h.client.post("/admin/account/identity-secret", headers=owner)
    body = resp.json()
    assert resp.headers["Cache-Control"] == "no-store"
    assert len(body["identity_secret"]) == 64 and body["version"] == 1
    assert body["previous_secret_expires_at"] is None
    items = boto3.resource("dynamodb").Table("engage-test").scan()["Items"]
    assert not [i for i in items if any(body["identity_secret"] in str(v) for v in i.values())]


def test_rotating_the_secret_keeps_old_hashes_for_the_grace_period_only(h, verified):
    owner, key, old = verified
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock.set_clock(lambda: now)
    rotated = new_secret(h, owner)
    assert rotated["version"] == 2 and rotated["identity_secret"] != old
    assert rotated["previous_secret_expires_at"] == clock.iso(now + dt.timedelta(hours=24))
    assert authenticate(key, "u1", user_hash(old, "u1")).user_id == "u1"
    assert authenticate(key, "u1", user_hash(rotated["identity_secret"], "u1")).user_id == "u1"
    later = now + dt.timedelta(hours=24)
    clock.set_clock(lambda: later)
    assert "does not match" in refused(key, "u1", user_hash(old, "u1"))
    assert authenticate(key, "u1", user_hash(rotated["identity_secret"], "u1")).user_id == "u1"


# -- the /v1 dependency -------------------------------------------------------------------------
class Me(PublicModel):
    user_id: str
    trusted: bool


def _probe_app():
    router = APIRouter()

    @router.get("/v1/probe")
    def probe(user: CurrentEndUser) -> Me:
        return Me(user_id=user.user_id, trusted=user.trusted)

    return create_app("probe", [router])


def test_the_dependency_reads_the_three_headers(h, verified):
    _, key, secret = verified
    client = TestClient(_probe_app())
    headers = {"X-API-Key": key, "X-User-Id": "u1", "X-User-Hash": user_hash(secret, "u1")}
    resp = client.get("/v1/probe", headers=headers)
    assert resp.status_code == 200 and resp.json() == {"user_id": "u1", "trusted": False}


@pytest.mark.parametrize(
    "headers", [{}, {"X-User-Id": "u1"}, {"X-API-Key": "sk_test_x", "X-User-Id": "u1"}]
)
def test_the_dependency_refuses_with_the_401_envelope(h, headers):
    resp = TestClient(_probe_app()).get("/v1/probe", headers=headers)
    assert resp.status_code == 401
    assert resp.json()["success"] is False and resp.json()["error"] == "unauthorized"


def test_the_dependency_declares_the_api_key_scheme():
    spec = _probe_app().openapi()
    scheme = spec["components"]["securitySchemes"]["apiKeyAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "X-API-Key"
    op = spec["paths"]["/v1/probe"]["get"]
    assert op["security"] == [{"apiKeyAuth": []}]
    assert {"X-User-Id", "X-User-Hash"} <= {p["name"] for p in op["parameters"]}
    assert "401" in op["responses"]
