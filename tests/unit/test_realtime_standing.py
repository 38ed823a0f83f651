"""Open sockets lose their standing at once (issue 9 "Roles": a deactivated or removed member's
tokens stop working at once; "Keys": so does a revoked API key): from then on the socket gets
no frame, its own frames are not answered, and it is closed and forgotten
(engage/realtime/standing.py). Real members, real keys, real conversations; only
`@connections` is faked at its port (engage/realtime/push.py)."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher

from engage.core import clock, ids
from tests.conftest import FUNCTIONS

PASSWORD = "correct horse battery"
_HASH = PasswordHasher().hash(PASSWORD)


@pytest.fixture
def sockets(monkeypatch):
    """Frames pushed per connection id, and the ids closed (DeleteConnection)."""
    from engage.realtime import push

    sent: dict[str, list[dict]] = {}
    closed: set[str] = set()

    def send(connection_id, frame):
        if connection_id in closed:
            return False
        sent.setdefault(connection_id, []).append(json.loads(json.dumps(frame)))
        return True

    monkeypatch.setattr(push, "send", send)
    monkeypatch.setattr(push, "close", closed.add)
    return sent, closed


def _route(route: str, connection_id: str, **extra) -> dict:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    context = {"routeKey": route, "eventType": kind, "connectionId": connection_id}
    return FUNCTIONS["RealtimeFunction"].invoke({"requestContext": context, **extra})


def _connect(connection_id: str, query: dict[str, str]) -> None:
    assert _route("$connect", connection_id, queryStringParameters=query)["statusCode"] == 200


def _send(connection_id: str, action: str, data: str | None = None) -> None:
    body = {"action": action, **({"data": data} if data is not None else {})}
    _route(action, connection_id, body=json.dumps(body))


def _member(h, owner: dict, role: str) -> tuple[str, str]:
    """A signed-in member of the owner's tenant with `role`: (user id, access token)."""
    from engage.auth import store

    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    email = f"{role}-{ids.token(6).lower()}@shop.test"
    user_id = ids.new_id()
    assert store.claim_email(email, tenant_id, user_id)
    store.put_user(tenant_id, user_id, email, _HASH, role, clock.now_iso())
    resp = h.client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return user_id, str(resp.json()["access_token"])


@pytest.fixture
def shop(h, sockets):
    """A tenant whose owner (socket `owner`), agent (socket `agent`) and end user alice (socket
    `alice`, with her conversation open) are connected. Returns (owner headers, agent id,
    key id, conversation id)."""
    owner = h.register()
    made = h.client.post(
        "/admin/api-keys", headers=owner, json={"name": "app", "kind": "publishable"}
    ).json()
    alice = {"X-API-Key": made["key"], "X-User-Id": "alice"}
    resp = h.client.post("/v1/conversations", headers=alice, json={"message": {"content": "hi"}})
    assert resp.status_code == 201, resp.text
    agent_id, agent_token = _member(h, owner, "agent")
    h.drain()
    _connect("owner", {"access_token": owner["Authorization"].split()[1]})
    _connect("agent", {"access_token": agent_token})
    _connect("alice", {"api_key": made["key"], "user_id": "alice"})
    return owner, agent_id, made["id"], resp.json()["id"]


def _tenant_of(h, owner: dict) -> str:
    return str(h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"])


def _reply(h, owner: dict, conversation_id: str, content: str, private: bool = False) -> None:
    path = f"/admin/api/conversations/{conversation_id}/messages"
    resp = h.client.post(path, headers=owner, json={"content": content, "private": private})
    assert resp.status_code == 201, resp.text
    h.drain()


def _contents(sent: dict, connection_id: str) -> list[str]:
    frames = sent.get(connection_id, [])
    return [f["data"]["content"] for f in frames if f["event"] == "message:new"]


def test_a_deactivated_members_open_socket_gets_no_more_notes_and_is_closed(h, shop, sockets):
    from engage.realtime import store

    sent, closed = sockets
    owner, agent_id, _, conversation_id = shop
    # Given the agent's socket gets the team's messages
    _reply(h, owner, conversation_id, "before", private=True)
    assert _contents(sent, "agent") == ["before"]
    # When an owner deactivates the agent, then writes an internal note
    off = h.client.put(f"/admin/team/users/{agent_id}", headers=owner, json={"active": False})
    assert off.status_code == 200, off.text
    _reply(h, owner, conversation_id, "after", private=True)
    # Then the agent's socket got nothing more and is closed and forgotten; the owner's got it
    assert _contents(sent, "agent") == ["before"]
    assert "agent" in closed and store.get_connection("agent") is None
    assert _contents(sent, "owner") == ["before", "after"]


def test_a_removed_members_open_socket_gets_no_more_messages_and_is_closed(h, shop, sockets):
    sent, closed = sockets
    owner, agent_id, _, conversation_id = shop
    gone = h.client.delete(f"/admin/team/users/{agent_id}", headers=owner)
    assert gone.status_code in (200, 204), gone.text
    _reply(h, owner, conversation_id, "after removal")
    assert _contents(sent, "agent") == [] and "agent" in closed
    assert _contents(sent, "alice") == ["after removal"]


def test_a_member_demoted_to_viewer_keeps_reading_live(h, shop, sockets):
    sent, closed = sockets
    owner, agent_id, _, conversation_id = shop
    down = h.client.put(f"/admin/team/users/{agent_id}", headers=owner, json={"role": "viewer"})
    assert down.status_code == 200, down.text
    _reply(h, owner, conversation_id, "for viewers too")
    assert _contents(sent, "agent") == ["for viewers too"] and "agent" not in closed


def test_a_deactivated_members_frames_get_no_answer_and_close_the_socket(h, shop, sockets):
    from engage.realtime import store

    sent, closed = sockets
    owner, agent_id, _, conversation_id = shop
    h.client.put(f"/admin/team/users/{agent_id}", headers=owner, json={"active": False})
    # When the deactivated agent's open socket tries to join and type
    _send("agent", "conversation:join", conversation_id)
    _send("agent", "typing:start", conversation_id)
    # Then nothing answered, no subscription was made, and the socket is closed
    assert sent.get("agent", []) == [] and "agent" in closed
    assert store.conversation_connections(_tenant_of(h, owner), conversation_id, 0) == []
    assert store.get_connection("agent") is None


def test_a_revoked_keys_open_socket_gets_no_more_messages_and_is_closed(h, shop, sockets):
    from engage.realtime import store

    sent, closed = sockets
    owner, _, key_id, conversation_id = shop
    _reply(h, owner, conversation_id, "before")
    assert _contents(sent, "alice") == ["before"]
    # When the key alice's app connected with is revoked, then an agent replies
    assert h.client.delete(f"/admin/api-keys/{key_id}", headers=owner).status_code in (200, 204)
    _reply(h, owner, conversation_id, "after revocation")
    # Then alice's socket got nothing more and is closed and forgotten; the team still gets it
    assert _contents(sent, "alice") == ["before"]
    assert "alice" in closed and store.get_connection("alice") is None
    assert _contents(sent, "agent") == ["before", "after revocation"]


def test_a_revoked_keys_open_socket_gets_no_pong(h, shop, sockets):
    sent, closed = sockets
    owner, _, key_id, _ = shop
    h.client.delete(f"/admin/api-keys/{key_id}", headers=owner)
    _send("alice", "ping")
    assert sent.get("alice", []) == [] and "alice" in closed


def test_a_rotated_keys_open_socket_keeps_receiving(h, shop, sockets):
    sent, closed = sockets
    owner, _, key_id, conversation_id = shop
    rotated = h.client.post(f"/admin/api-keys/{key_id}/rotate", headers=owner)
    assert rotated.status_code == 200, rotated.text
    _reply(h, owner, conversation_id, "after rotation")
    assert _contents(sent, "alice") == ["after rotation"] and "alice" not in closed


def test_one_standing_read_per_event_however_many_sockets(h, shop, sockets, monkeypatch):
    from botocore.endpoint import Endpoint

    from engage.events.envelope import DomainEvent, EventType
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    owner, _, _, conversation_id = shop
    tenant = _tenant_of(h, owner)
    path = f"/admin/api/conversations/{conversation_id}"
    contact_id = h.client.get(path, headers=owner).json()["contact_id"]
    for n in range(3):  # more team sockets, two of them the same member's
        _, token = _member(h, owner, "agent")
        _connect(f"more-{n}a", {"access_token": token})
        _connect(f"more-{n}b", {"access_token": token})
    message = {
        "id": "m1",
        "conversation_id": conversation_id,
        "contact_id": contact_id,
        "sender": "agent",
        "sender_id": "u1",
        "content": "counted",
        "type": "text",
        "private": False,
        "created_at": "2026-01-01T00:00:00Z",
        "delivered_at": None,
        "read_at": None,
    }
    event = DomainEvent(
        id="counted",
        type=EventType.MESSAGE_CREATED,
        tenant_id=tenant,
        occurred_at="2026-01-01T00:00:00Z",
        data=message,
    )
    made: list[str] = []
    original = Endpoint.make_request

    def counted(self, operation_model, request_dict):
        made.append(operation_model.name)
        return original(self, operation_model, request_dict)

    monkeypatch.setattr(Endpoint, "make_request", counted)
    assert deliver(event) == 9  # owner, agent, six more team sockets, alice
    assert sorted(made) == ["BatchGetItem", "PutItem", "Query", "Query"]
    assert _contents(sent, "alice") == ["counted"]


def test_a_deactivated_members_joined_socket_gets_no_more_typing(h, shop, sockets):
    sent, closed = sockets
    owner, agent_id, _, conversation_id = shop
    # Given the agent and alice both joined alice's conversation
    _send("agent", "conversation:join", conversation_id)
    _send("alice", "conversation:join", conversation_id)
    # When the agent is deactivated and alice starts typing
    h.client.put(f"/admin/team/users/{agent_id}", headers=owner, json={"active": False})
    _send("alice", "typing:start", conversation_id)
    # Then the agent's socket got no typing frame and is closed
    assert [f["event"] for f in sent["agent"]] == ["conversation:joined"]
    assert "agent" in closed
