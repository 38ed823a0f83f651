"""The end-user client API over HTTP (issue 9 "End-user client API"; seed 001 `/v1/*`):
identify as a contact with device metadata, own conversations only, idempotent sends, private
notes withheld, receipts, sync, and bad input answered 400 in the envelope, never 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from engage.core import clock
from tests.unit.test_enduser_auth import new_key

DEVICE = {"platform": "ios", "model": "iPhone15,2", "os_version": "17.4", "app_version": "2.3.1"}


@pytest.fixture
def app_(h):
    """A tenant with a publishable key: (owner headers, a function making end-user headers)."""
    owner = h.register()
    key = new_key(h, owner)

    def user(user_id: str) -> dict:
        return {"X-API-Key": key, "X-User-Id": user_id}

    return owner, user


def open_conversation(h, headers: dict, text: str = "Hello") -> dict:
    resp = h.client.post("/v1/conversations", headers=headers, json={"message": {"content": text}})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_identify_makes_a_contact_with_device_metadata_that_the_console_lists(h, app_):
    owner, user = app_
    body = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "phone": "+1 201 555 0123",
        "metadata": {"device": DEVICE},
        "attributes": {"plan": "pro", "seats": 3},
    }

    resp = h.client.post("/v1/users/identify", headers=user("ada-1"), json=body)

    assert resp.status_code == 200, resp.text
    me = resp.json()
    assert me["external_id"] == "ada-1" and me["phone"] == "+12015550123"
    assert me["email"] == "ada@example.com" and me["name"] == "Ada Lovelace"
    listed = h.client.get("/admin/api/users", headers=owner).json()["data"]
    assert [u["metadata"]["device"]["model"] for u in listed] == ["iPhone15,2"]
    one = h.client.get(f"/admin/api/users/{me['id']}", headers=owner).json()
    assert one["metadata"]["device"]["platform"] == "ios" and one["attributes"]["seats"] == 3
    contact = h.client.get(f"/contacts/{me['id']}", headers=owner).json()["data"]
    assert contact["phoneE164"] == "+12015550123" and contact["smsConsent"] == "unknown"


def test_identifying_again_updates_the_same_contact(h, app_):
    owner, user = app_
    first = h.client.post("/v1/users/identify", headers=user("u1"), json={"name": "A"}).json()
    again = h.client.post("/v1/users/identify", headers=user("u1"), json={"email": "a@b.co"}).json()

    assert again["id"] == first["id"] and again["name"] == "A" and again["email"] == "a@b.co"
    assert len(h.client.get("/admin/api/users", headers=owner).json()["data"]) == 1


def test_a_bad_phone_is_a_400_and_a_taken_phone_a_409(h, app_):
    owner, user = app_
    h.contact(owner, "+12015550199")

    bad = h.client.post("/v1/users/identify", headers=user("u1"), json={"phone": "12"})
    taken = h.client.post("/v1/users/identify", headers=user("u1"), json={"phone": "+12015550199"})

    assert bad.status_code == 400 and bad.json()["error"] == "validation_error"
    assert taken.status_code == 409


def test_a_phoneless_end_user_is_listed_with_contacts_and_never_reached_by_a_campaign(h, app_):
    owner, user = app_
    h.client.post("/v1/users/identify", headers=user("u1"), json={"name": "No Phone"})
    h.contact(owner, "+12015550123")
    campaign = h.campaign(owner)

    listed = h.client.get("/contacts", headers=owner).json()["data"]
    enqueue = h.client.post(f"/campaigns/{campaign['id']}/enqueue", headers=owner)
    h.send_all()

    assert {c["phoneE164"] for c in listed["contacts"]} == {None, "+12015550123"}
    assert enqueue.status_code == 200 and enqueue.json()["data"]["queuedRecipients"] == 1
    phoneless = next(c for c in listed["contacts"] if c["phoneE164"] is None)
    opt_in = h.client.put(
        f"/contacts/{phoneless['id']}", headers=owner, json={"smsConsent": "opted_in"}
    )
    assert opt_in.status_code == 400


def test_an_end_user_reaches_only_their_own_conversations(h, app_):
    _, user = app_
    mine = open_conversation(h, user("alice"))
    open_conversation(h, user("bob"))

    theirs = h.client.get(f"/v1/conversations/{mine['id']}", headers=user("bob"))
    write = h.client.post(
        f"/v1/conversations/{mine['id']}/messages", headers=user("bob"), json={"content": "x"}
    )
    listed = h.client.get("/v1/conversations", headers=user("bob")).json()["data"]

    assert theirs.status_code == 404 and theirs.json()["error"] == "not_found"
    assert write.status_code == 404
    assert mine["id"] not in [c["id"] for c in listed]
    msgs = h.client.get(f"/v1/conversations/{mine['id']}/messages", headers=user("bob"))
    assert msgs.status_code == 404 and "Hello" not in msgs.text


def test_another_tenants_key_gets_404(h, app_):
    _, user = app_
    mine = open_conversation(h, user("alice"))
    other_key = new_key(h, h.register("owner@other.test", "Other"))
    other = {"X-API-Key": other_key, "X-User-Id": "alice"}

    assert h.client.get(f"/v1/conversations/{mine['id']}", headers=other).status_code == 404
    assert h.client.get("/v1/conversations", headers=other).json()["data"] == []


def test_a_retried_send_answers_the_first_message_with_200(h, app_):
    _, user = app_
    conv = open_conversation(h, user("u1"))
    url = f"/v1/conversations/{conv['id']}/messages"
    body = {"content": "Are you there?", "client_message_id": "local-42"}

    first = h.client.post(url, headers=user("u1"), json=body)
    retry = h.client.post(url, headers=user("u1"), json=body)

    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json()["id"] == first.json()["id"]
    contents = [m["content"] for m in h.client.get(url, headers=user("u1")).json()["data"]]
    assert contents.count("Are you there?") == 1


def test_the_end_user_never_sees_a_private_note_by_any_route(h, app_):
    owner, user = app_
    conv = open_conversation(h, user("u1"))
    base = f"/admin/api/conversations/{conv['id']}/messages"
    note = h.client.post(base, headers=owner, json={"content": "secret note", "private": True})
    answer = h.client.post(base, headers=owner, json={"content": "Hi from support"})
    assert note.status_code == 201 and answer.status_code == 201
    now = clock.now()
    clock.set_clock(lambda: now + dt.timedelta(seconds=60))

    listed = h.client.get(f"/v1/conversations/{conv['id']}/messages", headers=user("u1")).text
    synced = h.client.get("/v1/sync", headers=user("u1")).text
    one = h.client.get(f"/v1/conversations/{conv['id']}", headers=user("u1")).json()

    assert "secret note" not in listed and "secret note" not in synced
    assert "Hi from support" in listed and "Hi from support" in synced
    assert one["unread_count"] == 1
    receipt = h.client.post(
        f"/v1/conversations/{conv['id']}/read",
        headers=user("u1"),
        json={"message_id": note.json()["id"]},
    )
    assert receipt.status_code == 404


def test_read_receipts_reach_the_console_and_clear_unread(h, app_):
    owner, user = app_
    conv = open_conversation(h, user("u1"))
    base = f"/admin/api/conversations/{conv['id']}"
    answer = h.client.post(f"{base}/messages", headers=owner, json={"content": "Hi"}).json()

    read = h.client.post(
        f"/v1/conversations/{conv['id']}/read",
        headers=user("u1"),
        json={"message_id": answer["id"]},
    )
    console = h.client.get(f"{base}/messages", headers=owner).json()["data"]

    assert read.status_code == 200 and read.json()["unread_count"] == 0
    assert next(m for m in console if m["id"] == answer["id"])["read_at"]
    mine = next(m for m in console if m["sender"] == "user")
    agent_read = h.client.post(f"{base}/read", headers=owner, json={"message_id": mine["id"]})
    assert agent_read.json()["marked"] == 1
    assert h.client.get(base, headers=owner).json()["unread_count"] == 0


def test_sync_over_http_pages_with_a_cursor(h, app_):
    _, user = app_
    conv = open_conversation(h, user("u1"))
    now = clock.now()
    clock.set_clock(lambda: now + dt.timedelta(seconds=60))

    first = h.client.get("/v1/sync", headers=user("u1")).json()
    again = h.client.get("/v1/sync", headers=user("u1"), params={"cursor": first["next_cursor"]})

    assert [c["id"] for c in first["conversations"]] == [conv["id"]]
    assert [m["content"] for m in first["messages"]] == ["Hello"]
    assert again.json()["messages"] == [] and again.json()["has_more"] is False


def test_without_a_key_the_routes_are_401(h, app_):
    resp = h.client.get("/v1/conversations", headers={"X-User-Id": "u1"})
    assert resp.status_code == 401 and resp.json()["error"] == "unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/conversations/{id}/messages", {"content": "\ud800"}),
        ("POST", "/v1/conversations/{id}/messages", {"content": "x" * 10_001}),
        ("POST", "/v1/conversations/{id}/messages", {"content": "   "}),
        ("POST", "/v1/conversations/{id}/messages", {"content": "a", "client_message_id": "#x"}),
        ("POST", "/v1/conversations/{id}/messages", {"content": "a", "sender": "agent"}),
        ("POST", "/v1/conversations/{id}/messages", {"content": "a", "private": True}),
        ("POST", "/v1/conversations/{id}/read", {"message_id": "../../x"}),
        ("POST", "/v1/conversations/{id}/read", {}),
        ("POST", "/v1/users/identify", {"metadata": {"device": {"model": "m" * 500}}}),
        ("POST", "/v1/users/identify", {"attributes": {f"k{i}": i for i in range(60)}}),
        ("POST", "/v1/users/identify", {"email": "not-an-email"}),
        ("POST", "/v1/conversations", {"channel": "pigeon"}),
        ("GET", "/v1/conversations/{id}/messages?before=%00", None),
        ("GET", "/v1/conversations/{id}/messages?limit=1000", None),
        ("GET", "/v1/sync?cursor=1234", None),
        ("GET", "/v1/conversations?cursor=abc", None),
    ],
)
def test_bad_input_is_a_400_in_the_envelope(h, app_, method, path, body):
    _, user = app_
    conv = open_conversation(h, user("u1"))
    content = json.dumps(body).encode() if body is not None else None

    resp = h.client.request(
        method,
        path.replace("{id}", conv["id"]),
        headers={**user("u1"), "Content-Type": "application/json"},
        content=content,
    )

    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "validation_error"


def test_a_huge_body_is_refused_without_a_500(h, app_):
    _, user = app_
    conv = open_conversation(h, user("u1"))
    resp = h.client.post(
        f"/v1/conversations/{conv['id']}/messages",
        headers=user("u1"),
        json={"content": "x" * 2_000_000},
    )
    assert resp.status_code in (400, 413)


@pytest.mark.parametrize("hostile", ["nope", "T%23x%23CV%23y", "%F0%9F%98%80" * 30, "a" * 500])
def test_hostile_conversation_ids_are_404(h, app_, hostile):
    _, user = app_
    resp = h.client.get(f"/v1/conversations/{hostile}", headers=user("u1"))
    assert resp.status_code == 404
