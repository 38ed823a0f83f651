"""The onboarding checklist and the quickstart (issue 9 `GET /admin/onboarding`,
`GET /admin/docs/quickstart`): computed from the tenant's stored state, and snippets filled with
its own app id and URLs, never a key's value."""

from __future__ import annotations

import uuid

from engage.core import clock
from engage.endusers.auth import authenticate
from engage.events.envelope import DomainEvent, EventType


def tenant_of(h, headers: dict) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def steps(h, headers: dict) -> dict[str, bool]:
    resp = h.client.get("/admin/onboarding", headers=headers)
    assert resp.status_code == 200, resp.text
    return {s["id"]: s["done"] for s in resp.json()["steps"]}


def new_key(h, headers: dict, name: str = "web") -> dict:
    body = {"name": name, "kind": "publishable"}
    return dict(h.client.post("/admin/api-keys", headers=headers, json=body).json())


def counted(tenant_id: str, type_: EventType, **data) -> None:
    from engage.usage import consumer

    consumer.count(
        DomainEvent(
            id=str(uuid.uuid4()),
            type=type_,
            tenant_id=tenant_id,
            occurred_at=clock.now_iso(),
            data={"conversation_id": "c1", **data},
        )
    )


def test_a_new_tenant_has_nothing_done(h):
    owner = h.register()
    body = h.client.get("/admin/onboarding", headers=owner).json()
    assert body["completed"] is False and body["done_count"] == 0 and body["total"] == 6
    assert not any(steps(h, owner).values())


def test_each_step_is_done_by_the_state_it_names(h):
    owner = h.register()
    tenant_id = tenant_of(h, owner)
    key = new_key(h, owner)
    assert steps(h, owner)["create_publishable_key"] is True
    authenticate(key["key"], "user-1", None)
    assert steps(h, owner)["identify_first_end_user"] is True
    h.client.post("/admin/account/identity-secret", headers=owner)
    h.client.put("/admin/account", headers=owner, json={"identity_verification_enabled": True})
    assert steps(h, owner)["enable_identity_verification"] is True
    counted(tenant_id, EventType.CONVERSATION_CREATED)
    assert steps(h, owner)["first_conversation"] is True
    counted(tenant_id, EventType.MESSAGE_CREATED, sender="agent", private=True)
    assert steps(h, owner)["first_agent_reply"] is False  # a note is not a reply
    counted(tenant_id, EventType.MESSAGE_CREATED, sender="agent", private=False)
    assert steps(h, owner)["first_agent_reply"] is True
    invite = {"email": "agent@shop.test", "role": "agent"}
    assert h.client.post("/admin/team/invitations", headers=owner, json=invite).status_code == 201
    body = h.client.get("/admin/onboarding", headers=owner).json()
    assert body["completed"] is True and body["done_count"] == 6


def test_a_revoked_publishable_key_undoes_the_key_step(h):
    owner = h.register()
    key = new_key(h, owner)
    h.client.delete(f"/admin/api-keys/{key['id']}", headers=owner)
    assert steps(h, owner)["create_publishable_key"] is False


def test_the_quickstart_without_a_key_says_so_and_has_the_urls(h):
    owner = h.register()
    resp = h.client.get("/admin/docs/quickstart", headers=owner)
    assert resp.status_code == 200
    body = resp.json()
    assert body["app_id"] == tenant_of(h, owner)
    assert body["api_base_url"] == "https://api.example.test"
    assert body["realtime_url"] == "wss://api.example.test/v1/realtime"
    assert body["has_publishable_key"] is False and body["publishable_key"] is None
    curl = next(s for s in body["snippets"] if s["id"] == "curl_identify")["code"]
    assert "https://api.example.test/v1/users/identify" in curl
    assert "<YOUR_PUBLISHABLE_KEY>" in curl and "Create a publishable key first" in curl


def test_the_quickstart_names_the_newest_publishable_key_but_never_shows_it(h):
    owner = h.register()
    new_key(h, owner, name="old")
    newest = new_key(h, owner, name="new")
    resp = h.client.get("/admin/docs/quickstart", headers=owner)
    body = resp.json()
    assert body["publishable_key"] == {
        "id": newest["id"],
        "name": "new",
        "prefix": newest["prefix"],
    }
    assert newest["key"] not in resp.text
    web = next(s for s in body["snippets"] if s["id"] == "web_init")["code"]
    assert newest["prefix"] in web and "wss://api.example.test/v1/realtime" in web


def test_the_quickstart_adds_the_user_hash_when_verification_is_on(h):
    owner = h.register()
    h.client.post("/admin/account/identity-secret", headers=owner)
    h.client.put("/admin/account", headers=owner, json={"identity_verification_enabled": True})
    body = h.client.get("/admin/docs/quickstart", headers=owner).json()
    assert body["identity_verification_enabled"] is True
    curl = next(s for s in body["snippets"] if s["id"] == "curl_identify")["code"]
    assert "X-User-Hash" in curl
    python = next(s for s in body["snippets"] if s["id"] == "server_hash_python")["code"]
    assert "hmac.new" in python and "<YOUR_IDENTITY_SECRET>" in python
