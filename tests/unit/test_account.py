"""The console's account (issue 9 `GET/PUT /admin/account`): profile and branding, identity
verification on or off (409 before a secret exists), never the identity secret."""

from __future__ import annotations

import pytest


def test_a_new_account_answers_its_profile_and_no_secret(h):
    owner = h.register(tenant="Shop")
    resp = h.client.get("/admin/account", headers=owner)
    assert resp.status_code == 200
    body = resp.json()
    assert body["name"] == "Shop" and body["id"] and body["created_at"]
    assert body["identity_verification_enabled"] is False
    assert body["identity_secret"] == {
        "exists": False,
        "version": 0,
        "created_at": None,
        "previous_secret_expires_at": None,
    }
    assert body["logo_url"] is None and body["primary_color"] is None


def test_put_changes_the_fields_sent_and_keeps_the_others(h):
    owner = h.register()
    first = {"company": "Shop Ltd", "primary_color": "#1f6feb", "widget_greeting": "Hi!"}
    assert h.client.put("/admin/account", headers=owner, json=first).status_code == 200
    resp = h.client.put(
        "/admin/account",
        headers=owner,
        json={"name": "Shop 2", "logo_url": "https://cdn.shop.test/logo.png", "company": None},
    )
    body = resp.json()
    assert resp.status_code == 200 and body["name"] == "Shop 2"
    assert body["primary_color"] == "#1F6FEB" and body["widget_greeting"] == "Hi!"
    assert body["logo_url"] == "https://cdn.shop.test/logo.png" and body["company"] is None
    assert h.client.get("/admin/account", headers=owner).json() == body


@pytest.mark.parametrize(
    "body",
    [
        {"primary_color": "blue"},
        {"primary_color": "#12345"},
        {"logo_url": "javascript:alert(1)"},
        {"website": "http://plain.test"},
        {"contact_email": "nope"},
        {"name": ""},
        {"name": None},
        {"identity_verification_enabled": None},
        {"plan": "free"},
    ],
)
def test_bad_account_fields_are_a_400(h, body):
    owner = h.register()
    resp = h.client.put("/admin/account", headers=owner, json=body)
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error"


def test_identity_verification_cannot_be_turned_on_before_a_secret_exists(h):
    owner = h.register()
    resp = h.client.put(
        "/admin/account", headers=owner, json={"identity_verification_enabled": True}
    )
    assert resp.status_code == 409 and resp.json()["error"] == "conflict"
    assert (
        h.client.get("/admin/account", headers=owner).json()["identity_verification_enabled"]
        is False
    )


def test_a_refused_put_changes_nothing(h):
    owner = h.register(tenant="Shop")
    body = {"name": "Renamed", "identity_verification_enabled": True}
    assert h.client.put("/admin/account", headers=owner, json=body).status_code == 409
    assert h.client.get("/admin/account", headers=owner).json()["name"] == "Shop"


def test_identity_verification_turns_on_after_the_secret_and_the_account_never_shows_it(h):
    owner = h.register()
    secret = h.client.post("/admin/account/identity-secret", headers=owner).json()
    resp = h.client.put(
        "/admin/account", headers=owner, json={"identity_verification_enabled": True}
    )
    assert resp.status_code == 200 and resp.json()["identity_verification_enabled"] is True
    account = h.client.get("/admin/account", headers=owner)
    assert account.json()["identity_secret"]["exists"] is True
    assert account.json()["identity_secret"]["version"] == 1
    assert secret["identity_secret"] not in account.text


def test_an_accounts_changes_stay_in_its_tenant(h):
    owner = h.register(tenant="Shop")
    other = h.register(email="other@else.test", tenant="Else")
    h.client.put("/admin/account", headers=other, json={"name": "Else 2"})
    assert h.client.get("/admin/account", headers=owner).json()["name"] == "Shop"
