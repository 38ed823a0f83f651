"""Auth (seed 001): tokens, rotation, revocation, and every way a token can be bad."""

from __future__ import annotations

import base64
import datetime as dt
import json

import jwt

from engage.core import clock


def test_register_returns_oauth_token_shape_and_starting_credits(h):
    resp = h.client.post(
        "/auth/register",
        json={"email": "Ann@Shop.test", "password": "longenough1", "tenantName": "Ann's shop"},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    me = h.client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    data = me.json()["data"]
    assert data["role"] == "owner"
    assert data["user"]["email"] == "ann@shop.test"
    assert data["tenant"] == {"id": data["tenant"]["id"], "name": "Ann's shop", "credits": 1000}


def test_register_twice_with_one_email_is_a_conflict(h):
    h.register("a@shop.test")
    resp = h.client.post(
        "/auth/register",
        json={"email": "A@shop.test", "password": "longenough1", "tenantName": "Other"},
    )
    assert resp.status_code == 409
    assert resp.json()["error"] == "conflict"


def test_login_checks_the_password_and_does_not_reveal_unknown_emails(h):
    h.register("b@shop.test")
    ok = h.client.post(
        "/auth/login", json={"email": "b@shop.test", "password": "correct horse battery"}
    )
    wrong = h.client.post("/auth/login", json={"email": "b@shop.test", "password": "nope"})
    unknown = h.client.post("/auth/login", json={"email": "x@shop.test", "password": "nope"})
    assert ok.status_code == 200
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["message"] == unknown.json()["message"]


def _refresh(h, token):
    return h.client.post("/auth/refresh", json={"refresh_token": token})


def test_refresh_rotates_and_each_refresh_token_works_once(h):
    tokens = h.client.post(
        "/auth/register",
        json={"email": "c@shop.test", "password": "longenough1", "tenantName": "C"},
    ).json()
    first = _refresh(h, tokens["refresh_token"])
    assert first.status_code == 200
    assert set(first.json()) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert first.json()["refresh_token"] != tokens["refresh_token"]
    second = _refresh(h, first.json()["refresh_token"])
    assert second.status_code == 200
    me = h.client.get(
        "/auth/me", headers={"Authorization": f"Bearer {second.json()['access_token']}"}
    )
    assert me.json()["data"]["user"]["email"] == "c@shop.test"


def test_a_reused_refresh_token_revokes_its_whole_chain(h):
    # Given a sign-in whose refresh token r1 was rotated to r2
    h.register("chain@shop.test")
    login = {"email": "chain@shop.test", "password": "correct horse battery"}
    r1 = h.client.post("/auth/login", json=login).json()["refresh_token"]
    r2 = _refresh(h, r1).json()["refresh_token"]
    # When r1 is presented again (a thief, or the victim, replays it)
    reused = _refresh(h, r1)
    # Then it is refused, and its successor r2 dies with it
    assert reused.status_code == 401 and reused.json()["error"] == "unauthorized"
    assert _refresh(h, r2).status_code == 401
    # and a fresh sign-in still works, in a chain of its own
    fresh = h.client.post("/auth/login", json=login)
    assert fresh.status_code == 200
    assert _refresh(h, fresh.json()["refresh_token"]).status_code == 200


def test_reuse_revokes_only_its_own_chain(h):
    h.register("two@shop.test")
    login = {"email": "two@shop.test", "password": "correct horse battery"}
    phone = h.client.post("/auth/login", json=login).json()["refresh_token"]
    laptop = h.client.post("/auth/login", json=login).json()["refresh_token"]
    _refresh(h, phone)
    assert _refresh(h, phone).status_code == 401
    assert _refresh(h, laptop).status_code == 200


def test_a_forged_secret_for_a_used_token_revokes_nothing(h):
    h.register("forge@shop.test")
    login = {"email": "forge@shop.test", "password": "correct horse battery"}
    r1 = h.client.post("/auth/login", json=login).json()["refresh_token"]
    r2 = _refresh(h, r1).json()["refresh_token"]
    tenant_id, token_id, _ = r1.split(".")
    assert _refresh(h, f"{tenant_id}.{token_id}.not-the-secret").status_code == 401
    assert _refresh(h, r2).status_code == 200


def test_refresh_does_not_spend_the_sign_in_budget(h, monkeypatch):
    monkeypatch.setenv("LOGIN_RATE_LIMIT_PER_MINUTE", "2")
    from tests.conftest import reset_caches

    reset_caches()
    fixed = dt.datetime(2026, 11, 21, 12, 0, 10, tzinfo=dt.UTC)
    clock.set_clock(lambda: fixed)
    token = h.client.post(
        "/auth/register",
        json={"email": "rl@shop.test", "password": "longenough1", "tenantName": "RL"},
    ).json()["refresh_token"]
    bad = {"email": "rl@shop.test", "password": "wrong-password"}
    assert h.client.post("/auth/login", json=bad).status_code == 401
    assert h.client.post("/auth/login", json=bad).status_code == 429  # sign-in budget spent
    for _ in range(3):
        resp = _refresh(h, token)
        assert resp.status_code == 200, resp.text
        assert resp.headers["X-RateLimit-Limit"] == "120"
        token = resp.json()["refresh_token"]


def test_logout_revokes_the_refresh_token(h):
    tokens = h.client.post(
        "/auth/register",
        json={"email": "d@shop.test", "password": "longenough1", "tenantName": "D"},
    ).json()
    assert (
        h.client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 200
    )
    after = h.client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert after.status_code == 401
    again = h.client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401


def test_logout_ends_the_chain_of_a_rotated_sign_in(h):
    tokens = h.client.post(
        "/auth/register",
        json={"email": "d2@shop.test", "password": "longenough1", "tenantName": "D2"},
    ).json()
    r2 = _refresh(h, tokens["refresh_token"]).json()["refresh_token"]
    assert h.client.post("/auth/logout", json={"refresh_token": r2}).status_code == 200
    assert _refresh(h, r2).status_code == 401


def test_missing_malformed_forged_expired_and_alg_none_tokens_are_401(h):
    headers = h.register("e@shop.test")
    token = headers["Authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, "another-secret-that-is-long-enough-000", algorithm="HS256")
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode())
    alg_none = f"{header.decode().rstrip('=')}.{payload.decode().rstrip('=')}."
    clock.set_clock(lambda: dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    expired = h.register("f@shop.test")["Authorization"]
    clock.set_clock(None)
    for value in (
        None,
        "Bearer",
        "Basic abc",
        "Bearer not.a.jwt",
        f"Bearer {forged}",
        f"Bearer {alg_none}",
        expired,
    ):
        resp = h.client.get("/contacts", headers={"Authorization": value} if value else {})
        assert resp.status_code == 401, value
        assert resp.json()["success"] is False
        assert resp.json()["error"] == "unauthorized"


def test_login_is_rate_limited_with_headers(h, monkeypatch):
    monkeypatch.setenv("LOGIN_RATE_LIMIT_PER_MINUTE", "3")
    from tests.conftest import reset_caches

    reset_caches()
    fixed = dt.datetime(2026, 11, 21, 12, 0, 10, tzinfo=dt.UTC)  # inside one fixed window
    clock.set_clock(lambda: fixed)
    statuses = [
        h.client.post("/auth/login", json={"email": "z@shop.test", "password": "x"})
        for _ in range(4)
    ]
    assert [r.status_code for r in statuses] == [401, 401, 401, 429]
    assert statuses[0].headers["X-RateLimit-Limit"] == "3"
    assert statuses[3].json()["error"] == "rate_limited"
    assert statuses[3].headers["Retry-After"] == "50"


def test_the_signing_key_can_come_from_secrets_manager(h, monkeypatch):
    import boto3

    arn = boto3.client("secretsmanager").create_secret(
        Name="engage-jwt", SecretString="from-secrets-manager-0123456789abcdef"
    )["ARN"]
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_SECRET_ARN", arn)
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register("sm@shop.test")
    token = headers["Authorization"].split()[1]
    jwt.decode(
        token, "from-secrets-manager-0123456789abcdef", algorithms=["HS256"], audience="engage-api"
    )
    assert h.client.get("/auth/me", headers=headers).status_code == 200
