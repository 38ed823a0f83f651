"""Issue 9's chat platform walked as its users would and attacked as an adversary would, over
HTTP and a real WebSocket against the local runtime ("How it will be judged"): an owner makes
a publishable key, an end user identifies and writes, an invited agent sees it live, replies
and notes, receipts and `/v1/sync` catch-up; isolation between tenants and end users, identity
verification, revocation, deactivation, roles and hostile input. Checks marked `xfail(strict)`
fail because of a product bug named in their reason."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import websockets
import websockets.exceptions

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"
Frames = list[dict[str, Any]]


class Owner:
    """A freshly registered tenant's owner, with the tenant's first publishable key."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=60)
        resp = self.http.post(
            "/auth/register",
            json={"email": _email(), "password": PASSWORD, "tenantName": "Walk Shop"},
        )
        assert resp.status_code == 201, resp.text
        self.token = resp.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        me = self.http.get("/auth/me").json()
        self.tenant_id = me.get("data", me)["tenant"]["id"]
        self.key = self.new_key("web")["key"]

    def new_key(self, name: str, kind: str = "publishable") -> dict[str, Any]:
        resp = self.http.post("/admin/api-keys", json={"name": name, "kind": kind})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    def invite(self, role: str) -> Member:
        """Invite a member by e-mail, read the link from the local outbox and accept it."""
        email = _email()
        resp = self.http.post("/admin/team/invitations", json={"email": email, "role": role})
        assert resp.status_code == 201, resp.text
        outbox = self.http.get("/_local/outbox.json", params={"tenant": self.tenant_id}).json()
        text = next(e["text"] for e in outbox["emails"] if e["to"] == email)
        token = re.search(r"token=(\S+)", text)
        assert token is not None, text
        return Member(self.base_url, token.group(1))

    def verification_on(self) -> str:
        """Create the identity secret and turn verification on; returns the secret."""
        resp = self.http.post("/admin/account/identity-secret")
        assert resp.status_code == 200, resp.text
        secret = str(resp.json()["identity_secret"])
        on = self.http.put("/admin/account", json={"identity_verification_enabled": True})
        assert on.status_code == 200, on.text
        return secret

    def user(self, user_id: str, user_hash: str | None = None, key: str | None = None) -> User:
        return User(self.base_url, key or self.key, user_id, user_hash)


class Member:
    """A team member signed in by accepting an invitation."""

    def __init__(self, base_url: str, invitation_token: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        resp = self.http.post(
            f"/auth/invitations/{invitation_token}/accept",
            json={"password": PASSWORD, "name": "Sam Agent"},
        )
        assert resp.status_code == 200, resp.text
        self.token = resp.json()["access_token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        me = self.http.get("/auth/me").json()
        self.id = me.get("data", me)["user"]["id"]


class User:
    """An end user of the tenant's app: an API key and the tenant's id for them."""

    def __init__(self, base_url: str, key: str, user_id: str, user_hash: str | None) -> None:
        headers = {"X-API-Key": key, "X-User-Id": user_id}
        self.query = {"api_key": key, "user_id": user_id}
        if user_hash is not None:
            headers["X-User-Hash"] = user_hash
            self.query["user_hash"] = user_hash
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=60)

    def open_conversation(self, content: str) -> str:
        resp = self.http.post("/v1/conversations", json={"message": {"content": content}})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])


def _email() -> str:
    return f"{uuid.uuid4().hex[:10]}@walk.test"


def _hash(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def _ws(base_url: str, query: dict[str, str]) -> str:
    return base_url.replace("http://", "ws://") + "/v1/realtime?" + urlencode(query)


async def _frames(ws: Any, done: Callable[[Frames], bool], timeout: float = 30) -> Frames:
    """The frames received until `done` holds, `timeout` seconds passed or the server closed
    the socket."""
    frames: Frames = []
    try:
        async with asyncio.timeout(timeout):
            while not done(frames):
                frames.append(json.loads(await ws.recv()))
    except (TimeoutError, websockets.exceptions.ConnectionClosed):
        pass
    return frames


def _has(event: str, **match: Any) -> Callable[[Frames], bool]:
    def done(frames: Frames) -> bool:
        return any(
            f["event"] == event and all(f["data"].get(k) == v for k, v in match.items())
            for f in frames
        )

    return done


def _contents(frames: Frames) -> list[str]:
    return [f["data"]["content"] for f in frames if f["event"] == "message:new"]


def _refused(url: str) -> int:
    """The handshake status of a socket that must not open."""

    async def attempt() -> None:
        async with websockets.connect(url):
            pass

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(attempt())
    return int(refused.value.response.status_code)


def _sync_until(user: User, cursor: str | None, done: Callable[[dict[str, Any]], bool]) -> Any:
    """`GET /v1/sync` from `cursor` again until `done` holds (a change shows after 5 s)."""
    deadline = time.monotonic() + 60
    while True:
        params = {"cursor": cursor} if cursor else {}
        resp = user.http.get("/v1/sync", params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(1)


def test_an_agent_answers_an_end_user_live_and_the_note_stays_with_the_team(base_url):
    # Given an owner's publishable key, an identified end user and an invited agent
    owner = Owner(base_url)
    alice = owner.user("alice")
    device = {"platform": "ios", "model": "iPhone 15", "os_version": "18.1"}
    identified = alice.http.post(
        "/v1/users/identify", json={"name": "Alice", "metadata": {"device": device}}
    )
    assert identified.status_code == 200, identified.text
    agent = owner.invite("agent")

    async def walk() -> tuple[Frames, Frames, str, str]:
        async with (
            websockets.connect(_ws(base_url, {"access_token": agent.token})) as team,
            websockets.connect(_ws(base_url, alice.query)) as app,
        ):
            await app.send(json.dumps({"action": "ping"}))
            assert (await _frames(app, _has("pong")))[-1]["event"] == "pong"
            # When the end user writes, the agent sees it live
            cid = alice.open_conversation("My order never came")
            seen = await _frames(team, _has("message:new", content="My order never came"))
            assert "My order never came" in _contents(seen)
            # and adds a note, then replies
            path = f"/admin/api/conversations/{cid}/messages"
            note = agent.http.post(path, json={"content": "VIP, refund", "private": True})
            assert note.status_code == 201, note.text
            reply = agent.http.post(path, json={"content": "Sorry! Refunding now."})
            assert reply.status_code == 201, reply.text
            rid = reply.json()["id"]
            got = await _frames(app, _has("message:new", id=rid))
            # and the end user's app marks the reply delivered then read
            for status in ("delivered", "read"):
                mark = alice.http.post(
                    f"/v1/conversations/{cid}/{status}", json={"message_id": rid}
                )
                assert mark.status_code == 200, mark.text
            receipts = await _frames(team, _has("message:status", message_id=rid, status="read"))
            got += await _frames(app, _has("message:status", message_id=rid, status="read"))
            return receipts, got, cid, rid

    receipts, got, cid, rid = asyncio.run(walk())
    # Then the end user got the reply and never the note, and the agent got both receipts
    assert "Sorry! Refunding now." in _contents(got)
    assert "VIP, refund" not in json.dumps(got)
    statuses = {
        (f["data"]["status"], f["data"]["by"])
        for f in receipts
        if f["event"] == "message:status" and f["data"]["message_id"] == rid
    }
    assert statuses == {("delivered", "user"), ("read", "user")}
    # and the end user's reads show the reply as read, without the note
    messages = alice.http.get(f"/v1/conversations/{cid}/messages").json()["data"]
    assert [m["content"] for m in messages] == ["My order never came", "Sorry! Refunding now."]
    assert messages[-1]["read_at"] is not None
    # and the team sees the device the end user identified with
    users = owner.http.get("/admin/api/users").json()["data"]
    assert users[0]["metadata"]["device"]["model"] == "iPhone 15"


def test_an_end_user_who_was_offline_catches_up_exactly_with_sync(base_url):
    # Given an end user who synced everything, then went offline
    owner = Owner(base_url)
    agent = owner.invite("agent")
    alice = owner.user("alice")
    cid = alice.open_conversation("Hello?")
    first = _sync_until(alice, None, lambda body: len(body["messages"]) == 1)
    assert [m["content"] for m in first["messages"]] == ["Hello?"]
    # When the agent replies twice and notes once while the end user is away
    path = f"/admin/api/conversations/{cid}/messages"
    for content, private in (("Hi", False), ("internal only", True), ("Still there?", False)):
        resp = agent.http.post(path, json={"content": content, "private": private})
        assert resp.status_code == 201, resp.text
    # Then a sync from the end user's cursor brings exactly the two replies, and no note
    later = _sync_until(alice, first["next_cursor"], lambda body: len(body["messages"]) >= 2)
    assert [m["content"] for m in later["messages"]] == ["Hi", "Still there?"]
    assert [c["id"] for c in later["conversations"]] == [cid]
    assert later["conversations"][0]["unread_count"] == 2


def test_identity_verification_refuses_a_wrong_hash_over_http_and_socket(base_url):
    # Given a tenant with identity verification on
    owner = Owner(base_url)
    secret = owner.verification_on()
    right = owner.user("alice", _hash(secret, "alice"))
    cid = right.open_conversation("Hi")
    # When someone names alice with no hash, a wrong hash or bob's hash
    for user_hash in (None, "0" * 64, _hash(secret, "bob")):
        impostor = owner.user("alice", user_hash)
        # Then HTTP and the socket refuse them
        assert impostor.http.get(f"/v1/conversations/{cid}").status_code == 401
        assert _refused(_ws(base_url, impostor.query)) == 401
    assert right.http.get(f"/v1/conversations/{cid}").status_code == 200


def test_without_verification_a_publishable_key_acts_for_whoever_it_names(base_url):
    # Given a tenant with identity verification off (the default, as documented)
    owner = Owner(base_url)
    cid = owner.user("alice").open_conversation("private matter")
    # When anybody holding the shipped publishable key names alice
    resp = owner.user("alice").http.get(f"/v1/conversations/{cid}/messages")
    # Then they read alice's conversation: only identity verification stops this
    assert resp.status_code == 200


def test_an_end_user_never_reads_or_writes_another_end_users_conversation(base_url):
    # Given alice's conversation
    owner = Owner(base_url)
    cid = owner.user("alice").open_conversation("mine")
    bob = owner.user("bob")
    # When bob uses its id everywhere
    for method, path, body in (
        ("GET", f"/v1/conversations/{cid}", None),
        ("GET", f"/v1/conversations/{cid}/messages", None),
        ("POST", f"/v1/conversations/{cid}/messages", {"content": "bob was here"}),
    ):
        resp = bob.http.request(method, path, json=body)
        # Then it does not exist for him
        assert resp.status_code == 404, (path, resp.text)
    assert bob.http.get("/v1/conversations").json()["data"] == []

    async def join() -> Frames:
        async with websockets.connect(_ws(base_url, bob.query)) as ws:
            await ws.send(json.dumps({"action": "conversation:join", "data": cid}))
            return await _frames(ws, bool)

    assert asyncio.run(join())[0]["data"]["code"] == "not_found"


def test_another_tenant_never_sees_or_changes_a_conversation(base_url):
    # Given tenant A's conversation and tenant B's owner, keys and socket
    a, b = Owner(base_url), Owner(base_url)
    cid = a.user("alice").open_conversation("A's secret")
    secret_key = b.new_key("server", "secret")["key"]
    # When B tries A's ids with its secret key (trusted for any user id) and its console token
    trusted = b.user("alice", key=secret_key)
    for path in (f"/v1/conversations/{cid}", f"/v1/conversations/{cid}/messages"):
        assert trusted.http.get(path).status_code == 404
    for method, path, body in (
        ("GET", f"/admin/api/conversations/{cid}", None),
        ("GET", f"/admin/api/conversations/{cid}/messages", None),
        ("POST", f"/admin/api/conversations/{cid}/messages", {"content": "x"}),
        ("PUT", f"/admin/api/conversations/{cid}", {"status": "resolved"}),
    ):
        # Then every answer is a 404, and B's lists stay empty
        assert b.http.request(method, path, json=body).status_code == 404, path
    assert b.http.get("/admin/api/conversations").json()["data"] == []
    assert b.http.get("/admin/api/users").json()["data"] == []

    async def watch() -> Frames:
        async with websockets.connect(_ws(base_url, {"access_token": b.token})) as ws:
            await ws.send(json.dumps({"action": "conversation:join", "data": cid}))
            joined = await _frames(ws, bool)
            a.user("alice").http.post(f"/v1/conversations/{cid}/messages", json={"content": "2"})
            return joined + await _frames(ws, lambda f: False, timeout=8)

    frames = asyncio.run(watch())
    assert [f["data"].get("code") for f in frames] == ["not_found"]


def test_a_revoked_key_is_refused_at_once_over_http_and_new_sockets(base_url):
    # Given a working key
    owner = Owner(base_url)
    key = owner.new_key("old app")
    user = owner.user("zed", key=key["key"])
    assert user.http.get("/v1/conversations").status_code == 200
    # When it is revoked
    assert owner.http.delete(f"/admin/api-keys/{key['id']}").status_code == 200
    # Then the very next request and socket are refused, and the key is never shown again
    assert user.http.get("/v1/conversations").status_code == 401
    assert _refused(_ws(base_url, user.query)) == 401
    assert "key" not in owner.http.get("/admin/api-keys").json()["data"][0]


def test_a_revoked_keys_open_socket_gets_no_more_messages(base_url):
    owner = Owner(base_url)
    key = owner.new_key("old app")
    user = owner.user("zed", key=key["key"])
    cid = user.open_conversation("hi")

    async def held() -> tuple[Frames, int | None]:
        async with websockets.connect(_ws(base_url, user.query)) as ws:
            await _frames(ws, lambda f: False, timeout=3)
            owner.http.delete(f"/admin/api-keys/{key['id']}")
            path = f"/admin/api/conversations/{cid}/messages"
            owner.http.post(path, json={"content": "after revocation"})
            frames = await _frames(ws, _has("message:new", content="after revocation"), 10)
            return frames, ws.close_code

    frames, closed_with = asyncio.run(held())
    assert "after revocation" not in _contents(frames)
    assert closed_with is not None  # the server closed the socket


def test_a_deactivated_agent_is_refused_at_once_over_http_and_new_sockets(base_url):
    # Given a working agent
    owner = Owner(base_url)
    agent = owner.invite("agent")
    assert agent.http.get("/admin/api/conversations").status_code == 200
    # When an owner deactivates them
    off = owner.http.put(f"/admin/team/users/{agent.id}", json={"active": False})
    assert off.status_code == 200, off.text
    # Then their token and a new socket are refused at once
    assert agent.http.get("/admin/api/conversations").status_code == 401
    assert _refused(_ws(base_url, {"access_token": agent.token})) == 401


def test_a_deactivated_agents_open_socket_gets_no_more_notes(base_url):
    owner = Owner(base_url)
    agent = owner.invite("agent")
    cid = owner.user("alice").open_conversation("hi")

    async def held() -> tuple[Frames, int | None]:
        async with websockets.connect(_ws(base_url, {"access_token": agent.token})) as ws:
            await _frames(ws, lambda f: False, timeout=3)
            owner.http.put(f"/admin/team/users/{agent.id}", json={"active": False})
            path = f"/admin/api/conversations/{cid}/messages"
            owner.http.post(path, json={"content": "note after", "private": True})
            frames = await _frames(ws, _has("message:new", content="note after"), 10)
            return frames, ws.close_code

    frames, closed_with = asyncio.run(held())
    assert "note after" not in _contents(frames)
    assert closed_with is not None  # the server closed the socket


def test_a_viewer_cannot_reply_and_an_agent_cannot_create_keys(base_url):
    # Given a viewer and an agent on a tenant with a conversation
    owner = Owner(base_url)
    cid = owner.user("alice").open_conversation("hi")
    viewer, agent = owner.invite("viewer"), owner.invite("agent")
    path = f"/admin/api/conversations/{cid}/messages"
    # Then the viewer reads but cannot reply or change it
    assert viewer.http.get(path).status_code == 200
    assert viewer.http.post(path, json={"content": "x"}).status_code == 403
    assert (
        viewer.http.put(f"/admin/api/conversations/{cid}", json={"status": "pending"}).status_code
        == 403
    )
    # and the agent replies but cannot touch keys, the identity secret or the team
    assert agent.http.post(path, json={"content": "x"}).status_code == 201
    created = agent.http.post("/admin/api-keys", json={"name": "x", "kind": "publishable"})
    assert created.status_code == 403
    assert created.json()["error"] == "forbidden"
    assert agent.http.get("/admin/api-keys").status_code == 403
    assert agent.http.post("/admin/account/identity-secret").status_code == 403
    invite = agent.http.post("/admin/team/invitations", json={"email": _email(), "role": "viewer"})
    assert invite.status_code == 403


def test_the_last_owner_stays(base_url):
    # Given a tenant with one owner and an admin
    owner = Owner(base_url)
    admin = owner.invite("admin")
    me = owner.http.get("/admin/team/users").json()["data"]
    owner_id = next(m["id"] for m in me if m["role"] == "owner")
    # When the owner demotes themselves or the admin demotes or removes the owner
    assert (
        owner.http.put(f"/admin/team/users/{owner_id}", json={"role": "admin"}).status_code == 403
    )
    assert (
        admin.http.put(f"/admin/team/users/{owner_id}", json={"role": "admin"}).status_code == 403
    )
    assert admin.http.delete(f"/admin/team/users/{owner_id}").status_code == 403
    # Then the owner is still an active owner
    me = owner.http.get("/admin/team/users").json()["data"]
    assert any(m["role"] == "owner" and m["active"] for m in me)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/conversations", b'{"message": {"content": "a\\ud800b"}}'),
        ("POST", "/v1/conversations", b'{"message": {"content": "x"}, "bogus": 1}'),
        ("POST", "/v1/conversations", b"{" * 2),
        ("POST", "/v1/conversations", b'{"a":' * 5000 + b"1" + b"}" * 5000),
        ("POST", "/v1/users/identify", b'{"metadata": {"device": "not an object"}}'),
        ("POST", "/v1/users/identify", b'{"phone": "not a phone"}'),
        ("POST", "/v1/conversations", json.dumps({"message": {"content": "x" * 20000}}).encode()),
        ("GET", "/v1/sync?cursor=garbage", None),
        ("GET", "/v1/sync?cursor=%ED%A0%80", None),
        ("GET", "/v1/sync?limit=abc", None),
        ("GET", "/v1/conversations?cursor=" + "x" * 10000, None),
    ],
)
def test_hostile_end_user_input_is_a_400_in_the_envelope(base_url, method, path, body):
    owner = Owner(base_url)
    resp = owner.user("alice").http.request(
        method, path, content=body, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False
    assert resp.json()["error"] == "validation_error"


def test_hostile_console_input_is_a_400_or_404_in_the_envelope(base_url):
    owner = Owner(base_url)
    cid = owner.user("alice").open_conversation("hi")
    for method, path, body in (
        ("PUT", f"/admin/api/conversations/{cid}", {"status": "bogus"}),
        ("PUT", f"/admin/api/conversations/{cid}", {"labels": ["x" * 60]}),
        ("PUT", f"/admin/api/conversations/{cid}", {"assignee_id": "x" * 10000}),
        ("POST", f"/admin/api/conversations/{cid}/read", {"message_id": 123}),
        ("POST", "/admin/api-keys", {"name": "x", "kind": "bogus"}),
        ("PUT", "/admin/account", {"primary_color": "red"}),
        ("GET", "/admin/api/conversations?cursor=%ED%A0%80", None),
        ("GET", "/admin/account/usage?period=2026-13", None),
    ):
        resp = owner.http.request(method, path, json=body)
        assert resp.status_code == 400, (path, resp.text)
        assert resp.json()["error"] == "validation_error"
    resp = owner.http.get("/admin/api/conversations/" + "x" * 10000)
    assert resp.status_code in (400, 404) and resp.json()["success"] is False


def test_usage_of_the_last_representable_month_is_not_a_500(base_url):
    owner = Owner(base_url)
    resp = owner.http.get("/admin/account/usage", params={"period": "9999-12"})
    assert resp.status_code in (200, 400), resp.text


def test_a_deeply_nested_socket_frame_is_answered_with_an_error(base_url):
    owner = Owner(base_url)

    async def send() -> Frames:
        async with websockets.connect(_ws(base_url, {"access_token": owner.token})) as ws:
            await ws.send("[" * 5000 + "]" * 5000)
            return await _frames(ws, bool, timeout=10)

    assert asyncio.run(send())[0]["data"]["code"] == "validation_error"


def test_the_invitation_link_points_at_the_runtime_that_sent_it(base_url):
    owner = Owner(base_url)
    resp = owner.http.post("/admin/team/invitations", json={"email": _email(), "role": "agent"})
    assert resp.json()["invite_url"].startswith(base_url + "/accept-invite?token=")


def test_the_console_shows_real_figures_after_a_conversation(base_url):
    # Given a tenant whose end user wrote and whose agent replied once and noted once
    owner = Owner(base_url)
    agent = owner.invite("agent")
    alice = owner.user("alice")
    cid = alice.open_conversation("Hello")
    path = f"/admin/api/conversations/{cid}/messages"
    assert agent.http.post(path, json={"content": "Hi!"}).status_code == 201
    assert agent.http.post(path, json={"content": "n", "private": True}).status_code == 201
    # Then the dashboard counts the open, unassigned conversation and a first response
    stats = owner.http.get("/admin/dashboard/stats").json()
    assert (stats["open"], stats["unassigned"]) == (1, 1)
    assert stats["median_first_response_seconds"] is not None
    # and usage (counted from the event bus) reaches the exact figures
    deadline = time.monotonic() + 60
    while True:
        usage = owner.http.get("/admin/account/usage").json()
        if usage["messages"]["total"] == 3 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert usage["conversations"] == 1
    assert usage["messages"]["total"] == 3
    assert usage["messages"]["by_sender"]["user"] == 1
    assert (usage["messages"]["private_notes"], usage["messages"]["agent_replies"]) == (1, 1)
    # and onboarding ticks the key, the first end user, the conversation, the reply, the team
    steps = {s["id"]: s["done"] for s in owner.http.get("/admin/onboarding").json()["steps"]}
    assert steps["create_publishable_key"] and steps["identify_first_end_user"]
    assert not steps["enable_identity_verification"]
    assert sum(steps.values()) == 5
    # and the quickstart names this runtime, this app and the key to paste
    quick = owner.http.get("/admin/docs/quickstart").json()
    assert quick["app_id"] == owner.tenant_id
    assert quick["api_base_url"] == base_url
    assert quick["realtime_url"] == base_url.replace("http://", "ws://") + "/v1/realtime"
    assert quick["publishable_key"]["prefix"] == owner.key[:12]


def test_openapi_documents_every_chat_route_with_a_model_and_its_scheme(base_url):
    doc = httpx.get(f"{base_url}/openapi.json").json()
    chat = [
        (path, method, op)
        for path, ops in doc["paths"].items()
        if path.startswith(("/v1/", "/admin/api", "/admin/account", "/admin/team", "/admin/docs"))
        or path.startswith(("/admin/onboarding", "/admin/dashboard/stats"))
        for method, op in ops.items()
    ]
    assert len(chat) >= 30
    for path, method, op in chat:
        ok = [s for s in op["responses"] if s.startswith("2")]
        schema = op["responses"][ok[0]]["content"]["application/json"]["schema"]
        assert schema, (method, path)
        assert "422" not in op["responses"], (method, path)
        wanted = "apiKeyAuth" if path.startswith("/v1/") else "bearerAuth"
        assert op["security"] == [{wanted: []}], (method, path)
