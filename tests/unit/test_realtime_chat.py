"""Realtime chat (issue 9 "Realtime"; seed 001 mismatches 3 and 5): end-user sockets, joins,
typing, and the fan-out of conversation and message events to the sockets that may see them.

`@connections` is faked at its port (engage/realtime/push.py); the chat domain at the realtime
side's port (engage/realtime/access.py: end-user authentication, contact look-up, visibility),
so these tests build their own DomainEvents and run the real handlers and the real store."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from engage.core.errors import Unauthorized
from engage.events.envelope import DomainEvent, EventType
from tests.conftest import FUNCTIONS


@pytest.fixture
def sockets(monkeypatch):
    """Frames pushed per connection id; ids in `gone` answer 410."""
    from engage.realtime import push

    sent: dict[str, list[dict]] = {}
    gone: set[str] = set()

    def send(connection_id, frame):
        if connection_id in gone:
            return False
        sent.setdefault(connection_id, []).append(json.loads(json.dumps(frame)))
        return True

    monkeypatch.setattr(push, "send", send)
    monkeypatch.setattr(push, "close", lambda connection_id: gone.add(connection_id))
    return sent, gone


@dataclass
class Chat:
    """The chat domain as the realtime side sees it: publishable keys per tenant, end users'
    contacts, conversations and their contacts."""

    keys: dict[str, str] = field(default_factory=dict)
    key_ids: dict[str, str] = field(default_factory=dict)
    contacts: dict[tuple[str, str], str] = field(default_factory=dict)
    conversations: dict[tuple[str, str], str] = field(default_factory=dict)

    def end_user(self, api_key, user_id, user_hash):
        from engage.realtime.access import EndUserIdentity

        tenant_id = self.keys.get(api_key or "")
        if tenant_id is None or not user_id:
            raise Unauthorized("Invalid or revoked API key")
        contact_id = self.contact_of(tenant_id, user_id)
        return EndUserIdentity(tenant_id, user_id, contact_id, self.key_ids.get(api_key or ""))

    def contact_of(self, tenant_id, user_id):
        return self.contacts.get((tenant_id, user_id))

    def visible_contact(self, tenant_id, conversation_id, end_user_id):
        contact_id = self.conversations.get((tenant_id, conversation_id))
        if contact_id is None:
            return None
        if end_user_id is not None and self.contact_of(tenant_id, end_user_id) != contact_id:
            return None
        return contact_id


@pytest.fixture
def chat(monkeypatch):
    from engage.realtime import access

    fake = Chat()
    monkeypatch.setattr(access, "end_user", fake.end_user)
    monkeypatch.setattr(access, "contact_of", fake.contact_of)
    monkeypatch.setattr(access, "visible_contact", fake.visible_contact)
    return fake


def _route(route: str, connection_id: str, **extra) -> dict:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    context = {"routeKey": route, "eventType": kind, "connectionId": connection_id}
    return FUNCTIONS["RealtimeFunction"].invoke({"requestContext": context, **extra})


def _send(connection_id: str, action: str, data=None, **flat) -> None:
    body = {"action": action, **({"data": data} if data is not None else {}), **flat}
    _route(action, connection_id, body=json.dumps(body))


def _tenant(h, headers) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def _agent(h, connection_id: str, headers) -> None:
    token = headers["Authorization"].split()[1]
    query = {"access_token": token}
    assert _route("$connect", connection_id, queryStringParameters=query)["statusCode"] == 200


def _end_user(connection_id: str, api_key: str, user_id: str) -> int:
    query = {"api_key": api_key, "user_id": user_id, "user_hash": "h"}
    return _route("$connect", connection_id, queryStringParameters=query)["statusCode"]


@pytest.fixture
def shop(h, chat, sockets):
    """A tenant with an agent socket `agent`, end user alice (contact c-alice, conversation
    conv-a) on socket `alice`, and end user bob (c-bob, conv-b) on socket `bob`."""
    headers = h.register()
    tenant = _tenant(h, headers)
    chat.keys["pk_shop"] = tenant
    made = h.client.post(
        "/admin/api-keys", headers=headers, json={"name": "shop", "kind": "publishable"}
    )
    chat.key_ids["pk_shop"] = made.json()["id"]
    chat.contacts[(tenant, "alice")] = "c-alice"
    chat.contacts[(tenant, "bob")] = "c-bob"
    chat.conversations[(tenant, "conv-a")] = "c-alice"
    chat.conversations[(tenant, "conv-b")] = "c-bob"
    _agent(h, "agent", headers)
    assert _end_user("alice", "pk_shop", "alice") == 200
    assert _end_user("bob", "pk_shop", "bob") == 200
    return tenant, headers


def _message(tenant: str, event_id: str = "e1", **over) -> DomainEvent:
    message = {
        "id": "m1",
        "conversation_id": "conv-a",
        "contact_id": "c-alice",
        "sender": "agent",
        "sender_id": "u1",
        "content": "Hello",
        "type": "text",
        "private": False,
        "created_at": "2026-01-01T00:00:00Z",
        "delivered_at": None,
        "read_at": None,
        **over,
    }
    return DomainEvent(
        id=event_id,
        type=EventType.MESSAGE_CREATED,
        tenant_id=tenant,
        occurred_at="2026-01-01T00:00:00Z",
        data=message,
    )


def _conversation(tenant: str, kind: EventType, event_id: str = "e2", **over) -> DomainEvent:
    conversation = {
        "id": "conv-a",
        "contact_id": "c-alice",
        "channel": "chat",
        "status": "open",
        "priority": "high",
        "assignee_id": None,
        "labels": ["vip"],
        "created_at": "2026-01-01T00:00:00Z",
        "last_activity_at": "2026-01-01T00:00:00Z",
        "unread_count": 3,
        **over,
    }
    return DomainEvent(
        id=event_id,
        type=kind,
        tenant_id=tenant,
        occurred_at="2026-01-01T00:00:00Z",
        data=conversation,
    )


def _events(sent, connection_id: str, name: str) -> list[dict]:
    return [f["data"] for f in sent.get(connection_id, []) if f["event"] == name]


# -- connecting --------------------------------------------------------------------------------


def test_an_end_user_socket_opens_with_the_key_and_user_id_and_a_wrong_key_is_refused(
    h, chat, sockets
):
    chat.keys["pk_good"] = "t1"
    assert _end_user("c1", "pk_good", "alice") == 200
    assert _end_user("c2", "pk_wrong", "alice") == 401
    from engage.realtime import store

    assert store.get_connection("c1") is not None and store.get_connection("c2") is None


# -- fan-out of domain events ------------------------------------------------------------------


def test_a_message_reaches_the_team_and_its_end_user_and_no_other_end_user(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    # When a message is created in alice's conversation
    assert deliver(_message(tenant)) == 2
    # Then the agent and alice got message:new, bob nothing
    assert _events(sent, "agent", "message:new")[0]["id"] == "m1"
    mine = _events(sent, "alice", "message:new")[0]
    assert mine["content"] == "Hello" and mine["event_id"] == "e1"
    assert "bob" not in sent


def test_a_private_note_reaches_the_team_and_never_the_end_user(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    deliver(_message(tenant, private=True, content="internal: refund?"))
    assert _events(sent, "agent", "message:new")[0]["private"] is True
    assert "alice" not in sent


def test_a_message_that_does_not_say_it_is_public_is_kept_from_the_end_user(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    event = _message(tenant)
    data = {k: v for k, v in event.data.items() if k != "private"}
    deliver(event.model_copy(update={"data": data}))
    assert "alice" not in sent and _events(sent, "agent", "message:new")


def test_another_tenants_events_reach_none_of_these_sockets(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    other = h.register(email="other@shop.test", tenant="Other")
    other_tenant = _tenant(h, other)
    # When the other tenant has a message for a contact of the same id
    deliver(_message(other_tenant))
    assert sent == {}


def test_read_and_delivered_receipts_reach_the_team_and_the_end_user(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    receipt = {
        "conversation_id": "conv-a",
        "contact_id": "c-alice",
        "message_id": "m1",
        "status": "read",
        "by": "user",
        "at": "2026-01-01T00:01:00Z",
    }
    event = DomainEvent(
        id="e3",
        type=EventType.MESSAGE_STATUS_CHANGED,
        tenant_id=tenant,
        occurred_at="2026-01-01T00:01:00Z",
        data=receipt,
    )
    assert deliver(event) == 2
    assert _events(sent, "agent", "message:status")[0]["status"] == "read"
    assert _events(sent, "alice", "message:status")[0]["message_id"] == "m1"
    assert "bob" not in sent


def test_a_receipt_of_a_private_note_reaches_the_team_only(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    receipt = {
        "conversation_id": "conv-a",
        "contact_id": "c-alice",
        "message_id": "note-1",
        "status": "read",
        "by": "agent",
        "at": "2026-01-01T00:01:00Z",
        "private": True,
    }
    event = DomainEvent(
        id="e4",
        type=EventType.MESSAGE_STATUS_CHANGED,
        tenant_id=tenant,
        occurred_at="2026-01-01T00:01:00Z",
        data=receipt,
    )
    deliver(event)
    assert _events(sent, "agent", "message:status") and "alice" not in sent


def test_a_conversation_update_shows_the_end_user_only_its_public_fields(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    # When an agent resolves alice's conversation and labels it (the team has 3 unread, she 1)
    changes = ["status", "labels", "user_unread_count"]
    event = _conversation(
        tenant,
        EventType.CONVERSATION_UPDATED,
        status="resolved",
        user_unread_count=1,
        changes=changes,
    )
    deliver(event)
    # Then the team sees it all, alice her status and her own unread count only
    team = _events(sent, "agent", "conversation:updated")[0]
    assert team["labels"] == ["vip"] and team["unread_count"] == 3 and team["created"] is False
    mine = _events(sent, "alice", "conversation:updated")[0]
    assert mine["status"] == "resolved" and mine["unread_count"] == 1
    assert mine["changes"] == ["status", "unread_count"]
    assert not {"labels", "priority", "user_unread_count"} & mine.keys()


def test_an_update_of_internal_fields_only_is_not_pushed_to_the_end_user(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    changes = ["labels", "priority", "unread_count"]
    deliver(_conversation(tenant, EventType.CONVERSATION_UPDATED, changes=changes))
    assert _events(sent, "agent", "conversation:updated") and "alice" not in sent


def test_a_new_conversation_is_pushed_as_conversation_updated_with_created(h, shop, sockets):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    deliver(_conversation(tenant, EventType.CONVERSATION_CREATED))
    assert _events(sent, "agent", "conversation:updated")[0]["created"] is True
    assert _events(sent, "alice", "conversation:updated")[0]["created"] is True


def test_an_event_from_the_bus_reaches_the_sockets_through_the_rule(h, shop, sockets):
    from engage.events.bus import publish

    sent, _ = sockets
    tenant, _ = shop
    # When the event is published on the bus (the template's rule routes it to the fan-out)
    publish([_message(tenant, event_id="bus-1")])
    h.drain()
    assert _events(sent, "alice", "message:new")[0]["event_id"] == "bus-1"


def test_the_fan_out_makes_one_claim_one_query_per_audience_and_one_standing_read(h, shop, sockets):
    from botocore.endpoint import Endpoint

    from engage.realtime.fanout import deliver

    tenant, _ = shop
    made: list[str] = []
    original = Endpoint.make_request

    def counted(self, operation_model, request_dict):
        made.append(operation_model.name)
        return original(self, operation_model, request_dict)

    Endpoint.make_request = counted
    try:
        deliver(_message(tenant, event_id="counted"))
    finally:
        Endpoint.make_request = original
    # Then: the claim, the team's sockets, alice's sockets, one read of the agent's and the
    # key's standing together (and each socket one PostToConnection, faked here)
    assert sorted(made) == ["BatchGetItem", "PutItem", "Query", "Query"]


def test_a_gone_end_user_socket_is_forgotten_with_its_subscriptions(h, shop, sockets):
    from engage.core import keys
    from engage.realtime import store
    from engage.realtime.fanout import deliver
    from engage.realtime.models import SubscriptionItem

    _, gone = sockets
    tenant, _ = shop
    _send("alice", "conversation:join", "conv-a")
    gone.add("alice")
    # (later than store.CONNECTING_SECONDS: a socket recorded moments ago may be connecting)
    import datetime as dt

    from engage.core import clock

    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=store.CONNECTING_SECONDS + 30)
    clock.set_clock(lambda: later)
    deliver(_message(tenant))
    assert store.get_connection("alice") is None
    assert list(SubscriptionItem.query(keys.conversation_sockets_partition(tenant, "conv-a"))) == []


def test_an_end_user_identified_after_connecting_gets_events_after_their_next_frame(
    h, chat, sockets, shop
):
    from engage.realtime.fanout import deliver

    sent, _ = sockets
    tenant, _ = shop
    # Given carol connected before she had a contact
    assert _end_user("carol", "pk_shop", "carol") == 200
    chat.contacts[(tenant, "carol")] = "c-carol"
    # When her socket sends anything (here a ping), then a message of hers is created
    _send("carol", "ping")
    deliver(_message(tenant, contact_id="c-carol", conversation_id="conv-c"))
    assert _events(sent, "carol", "message:new")[0]["conversation_id"] == "conv-c"


# -- joins and typing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [{"data": {"conversation_id": "conv-a"}}, {"data": "conv-a"}, {"conversation_id": "conv-a"}],
    ids=["object", "plain-id", "flat"],
)
def test_a_join_accepts_the_object_or_the_plain_id(h, shop, sockets, payload):
    sent, _ = sockets
    _route(
        "conversation:join", "alice", body=json.dumps({"action": "conversation:join", **payload})
    )
    assert _events(sent, "alice", "conversation:joined") == [{"conversation_id": "conv-a"}]


def test_joining_another_end_users_conversation_is_refused_and_shows_none_of_its_typing(
    h, shop, sockets
):
    sent, _ = sockets
    # When bob tries to join alice's conversation
    _send("bob", "conversation:join", {"conversation_id": "conv-a"})
    # Then he gets an error frame, and alice's typing there never reaches him
    error = _events(sent, "bob", "error")[0]
    assert error["code"] == "not_found" and error["action"] == "conversation:join"
    _send("alice", "conversation:join", "conv-a")
    _send("alice", "typing:start", "conv-a")
    assert _events(sent, "bob", "typing") == []


def test_an_agent_cannot_join_another_tenants_conversation(h, shop, sockets):
    sent, _ = sockets
    other = h.register(email="other@shop.test", tenant="Other")
    _agent(h, "outsider", other)
    _send("outsider", "conversation:join", "conv-a")
    assert _events(sent, "outsider", "error")[0]["code"] == "not_found"


def test_an_end_users_typing_reaches_the_agents_who_joined_and_not_the_others(h, shop, sockets):
    sent, _ = sockets
    _tenant_id, headers = shop
    # Given the agent and alice joined conv-a, and a second agent socket that did not
    _agent(h, "agent-2", headers)
    _send("agent", "conversation:join", "conv-a")
    _send("alice", "conversation:join", "conv-a")
    # When alice starts and stops typing
    _send("alice", "typing:start", "conv-a")
    _send("alice", "typing:stop", {"conversation_id": "conv-a"})
    # Then the joined agent saw both, with alice's contact id; nobody else saw any
    typing = _events(sent, "agent", "typing")
    assert [t["typing"] for t in typing] == [True, False]
    assert typing[0] == {
        "conversation_id": "conv-a",
        "sender": "user",
        "sender_id": "c-alice",
        "typing": True,
    }
    assert _events(sent, "agent-2", "typing") == [] and _events(sent, "alice", "typing") == []


def test_an_agents_typing_reaches_the_end_user_and_the_other_agents(h, shop, sockets):
    sent, _ = sockets
    _tenant_id, headers = shop
    _agent(h, "agent-2", headers)
    for connection in ("agent", "agent-2", "alice"):
        _send(connection, "conversation:join", "conv-a")
    _send("agent", "typing:start", "conv-a")
    me = h.client.get("/auth/me", headers=headers).json()["data"]
    for receiver in ("alice", "agent-2"):
        got = _events(sent, receiver, "typing")
        assert got and got[0]["sender"] == "agent" and got[0]["sender_id"] == me["user"]["id"]
    assert _events(sent, "agent", "typing") == []


def test_typing_without_a_join_answers_an_error_and_reaches_nobody(h, shop, sockets):
    sent, _ = sockets
    _send("agent", "conversation:join", "conv-a")
    _send("alice", "typing:start", "conv-a")
    assert _events(sent, "alice", "error")[0]["code"] == "not_joined"
    assert _events(sent, "agent", "typing") == []


def test_a_socket_that_left_gets_no_more_typing(h, shop, sockets):
    sent, _ = sockets
    _send("agent", "conversation:join", "conv-a")
    _send("alice", "conversation:join", "conv-a")
    _send("agent", "conversation:leave", "conv-a")
    _send("alice", "typing:start", "conv-a")
    assert _events(sent, "agent", "conversation:left") == [{"conversation_id": "conv-a"}]
    assert _events(sent, "agent", "typing") == []


def test_a_closed_socket_leaves_its_conversations(h, shop, sockets):
    from engage.core import keys
    from engage.realtime.models import SubscriptionItem

    tenant, _ = shop
    _send("alice", "conversation:join", "conv-a")
    assert _route("$disconnect", "alice")["statusCode"] == 200
    assert list(SubscriptionItem.query(keys.conversation_sockets_partition(tenant, "conv-a"))) == []


def test_an_action_without_a_conversation_answers_a_validation_error(h, shop, sockets):
    sent, _ = sockets
    _send("alice", "conversation:join")
    error = _events(sent, "alice", "error")[0]
    assert error["code"] == "validation_error" and error["action"] == "conversation:join"
