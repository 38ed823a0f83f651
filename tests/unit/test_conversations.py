"""Conversations and messages, the end-user side (issue 9 "End-user client API"; seed 001):
own-conversation isolation, idempotent sends, private notes, receipts and unread counts, and
the domain events derived from the stream. The services take the tenant and the end user's
external id as plain arguments (the `/v1` routes add the key check: test_chat_api.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.conversations import access, inbox, service
from engage.conversations.schemas import (
    AgentMessageCreate,
    ConversationCreate,
    MessageCreate,
    ReceiptStatus,
)
from engage.core import clock
from engage.core.errors import NotFound
from engage.events.envelope import DomainEvent


def tenant_of(h, headers) -> tuple[str, str]:
    me = h.client.get("/auth/me", headers=headers).json()["data"]
    return me["tenant"]["id"], me["user"]["id"]


@pytest.fixture
def shop(h):
    headers = h.register()
    tenant_id, owner_id = tenant_of(h, headers)
    return {"headers": headers, "tenant_id": tenant_id, "owner_id": owner_id}


def start(tenant_id: str, user: str, text: str | None = "Hello") -> str:
    body = ConversationCreate(message=MessageCreate(content=text) if text else None)
    return service.start_conversation(tenant_id, user, body).id


def say(tenant_id: str, user: str, conversation_id: str, text: str, cmid: str | None = None):
    body = MessageCreate(content=text, client_message_id=cmid)
    return service.send_own(tenant_id, user, conversation_id, body)


def reply(tenant_id: str, agent: str, conversation_id: str, text: str, private: bool = False):
    body = AgentMessageCreate(content=text, private=private)
    return inbox.reply(tenant_id, agent, conversation_id, body)[0]


def test_an_end_user_sees_their_own_conversation_and_first_message(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1", "Where is my order?")

    listed = service.list_own(t, "user-1", None, 20)
    messages = service.list_own_messages(t, "user-1", cid, None, None, 50)

    assert [c.id for c in listed.data] == [cid]
    assert listed.data[0].status == "open" and listed.data[0].channel == "chat"
    assert [(m.sender, m.sender_id, m.content) for m in messages.data] == [
        ("user", "user-1", "Where is my order?")
    ]


def test_another_end_user_gets_404_and_no_data(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "alice")
    start(t, "bob")

    with pytest.raises(NotFound):
        service.get_own(t, "bob", cid)
    with pytest.raises(NotFound):
        service.list_own_messages(t, "bob", cid, None, None, 50)
    with pytest.raises(NotFound):
        say(t, "bob", cid, "let me in")
    assert cid not in [c.id for c in service.list_own(t, "bob", None, 20).data]
    assert access.visible_conversation(t, cid, end_user_id="bob") is None
    assert access.visible_conversation(t, cid, end_user_id="alice") is not None


def test_another_tenant_gets_404_for_the_same_end_user_id(h, shop):
    t = shop["tenant_id"]
    other, _ = tenant_of(h, h.register("owner@other.test", "Other"))
    cid = start(t, "user-1")

    with pytest.raises(NotFound):
        service.get_own(other, "user-1", cid)
    assert access.visible_conversation(other, cid, end_user_id=None) is None
    assert access.visible_conversation(t, cid, end_user_id=None).contact_id


@pytest.mark.parametrize("hostile", ["", "x" * 300, "../../etc", "T#1#CV#2", "\u0000", "01" * 13])
def test_hostile_conversation_ids_are_404(h, shop, hostile):
    with pytest.raises(NotFound):
        service.get_own(shop["tenant_id"], "user-1", hostile)


def test_a_retried_send_returns_the_first_message_and_makes_no_second(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1", None)

    first, created = say(t, "user-1", cid, "Hi", cmid="c-1")
    again, created_again = say(t, "user-1", cid, "Hi", cmid="c-1")

    assert created and not created_again and again.id == first.id
    assert len(service.list_own_messages(t, "user-1", cid, None, None, 50).data) == 1
    assert service.get_own(t, "user-1", cid).model_dump()["unread_count"] == 0
    assert inbox.get(t, cid).unread_count == 1


def test_a_send_whose_first_attempt_died_after_its_guard_is_written_once(h, shop, monkeypatch):
    from engage.conversations import store

    t = shop["tenant_id"]
    cid = start(t, "user-1", None)
    real = store.put_message
    monkeypatch.setattr(store, "put_message", lambda item: (_ for _ in ()).throw(OSError()))
    with pytest.raises(OSError):
        say(t, "user-1", cid, "Hi", cmid="c-9")
    monkeypatch.setattr(store, "put_message", real)

    message, created = say(t, "user-1", cid, "Hi", cmid="c-9")

    assert created
    assert [m.id for m in service.list_own_messages(t, "user-1", cid, None, None, 50).data] == [
        message.id
    ]


def test_a_private_note_never_reaches_the_end_user(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1")
    note = reply(t, shop["owner_id"], cid, "VIP, be nice", private=True)
    answer = reply(t, shop["owner_id"], cid, "Happy to help")

    user_view = service.list_own_messages(t, "user-1", cid, None, None, 50)
    console_view = inbox.list_messages(t, cid, None, None, 50)

    assert note.id not in [m.id for m in user_view.data]
    assert answer.id in [m.id for m in user_view.data]
    assert note.id in [m.id for m in console_view.data]
    assert service.get_own(t, "user-1", cid).unread_count == 1  # the note is not unread
    with pytest.raises(NotFound):  # nor can the end user receipt it
        service.receipt_own(t, "user-1", cid, ReceiptStatus.READ, note.id)


def test_reading_marks_everything_up_to_the_message_and_clears_unread(h, shop):
    t, agent = shop["tenant_id"], shop["owner_id"]
    cid = start(t, "user-1")
    one = reply(t, agent, cid, "one")
    two = reply(t, agent, cid, "two")
    three = reply(t, agent, cid, "three")
    assert service.get_own(t, "user-1", cid).unread_count == 3

    delivered = service.receipt_own(t, "user-1", cid, ReceiptStatus.DELIVERED, three.id)
    read = service.receipt_own(t, "user-1", cid, ReceiptStatus.READ, two.id)

    assert delivered.marked == 3 and read.marked == 2 and read.unread_count == 1
    by_id = {m.id: m for m in service.list_own_messages(t, "user-1", cid, None, None, 50).data}
    assert by_id[one.id].read_at and by_id[two.id].read_at and by_id[three.id].read_at is None
    assert all(by_id[m.id].delivered_at for m in (one, two, three))
    user_message = next(m for m in by_id.values() if m.sender == "user")
    assert user_message.read_at is None  # the end user does not mark their own messages


def test_a_repeated_receipt_counts_nothing_twice(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1")
    last = reply(t, shop["owner_id"], cid, "hello")
    service.receipt_own(t, "user-1", cid, ReceiptStatus.READ, last.id)

    again = service.receipt_own(t, "user-1", cid, ReceiptStatus.READ, last.id)

    assert again.marked == 0 and again.unread_count == 0


def test_agents_read_the_end_users_messages(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1", "a")
    second, _ = say(t, "user-1", cid, "b")
    assert inbox.get(t, cid).unread_count == 2

    result = inbox.receipt(t, cid, ReceiptStatus.READ, second.id)

    assert result.marked == 2 and inbox.get(t, cid).unread_count == 0
    assert all(m.read_at for m in service.list_own_messages(t, "user-1", cid, None, None, 9).data)


def test_an_end_user_message_reopens_a_resolved_conversation(h, shop):
    from engage.conversations.schemas import ConversationUpdate

    t = shop["tenant_id"]
    cid = start(t, "user-1")
    inbox.update(t, cid, ConversationUpdate(status="resolved"))

    say(t, "user-1", cid, "one more thing")

    assert service.get_own(t, "user-1", cid).status == "open"


def test_first_response_is_recorded_once_when_the_first_agent_reply_lands(h, shop):
    from engage.conversations import store

    t = shop["tenant_id"]
    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    clock.set_clock(lambda: t0)
    cid = start(t, "user-1")
    clock.set_clock(lambda: t0 + dt.timedelta(seconds=30))
    reply(t, shop["owner_id"], cid, "note", private=True)  # a note is not a response
    clock.set_clock(lambda: t0 + dt.timedelta(seconds=90))
    reply(t, shop["owner_id"], cid, "first")
    clock.set_clock(lambda: t0 + dt.timedelta(seconds=300))
    reply(t, shop["owner_id"], cid, "second")

    item = store.get_conversation(t, cid)
    assert item.first_response_seconds == 90
    assert store.first_response_samples(t, "2026-03-02", 10) == [90.0]


def test_messages_page_with_before_and_after(h, shop):
    t = shop["tenant_id"]
    cid = start(t, "user-1", None)
    sent = [say(t, "user-1", cid, f"m{i}")[0].id for i in range(5)]

    newest = service.list_own_messages(t, "user-1", cid, None, None, 2)
    older = service.list_own_messages(t, "user-1", cid, newest.next_cursor, None, 2)
    oldest = service.list_own_messages(t, "user-1", cid, older.next_cursor, None, 2)
    forward = service.list_own_messages(t, "user-1", cid, None, sent[1], 2)

    assert [m.id for m in newest.data] == sent[3:] and newest.has_more
    assert [m.id for m in older.data] == sent[1:3] and older.has_more
    assert [m.id for m in oldest.data] == sent[:1] and not oldest.has_more
    assert oldest.next_cursor is None
    assert [m.id for m in forward.data] == sent[2:4] and forward.has_more


# -- events -----------------------------------------------------------------------------------
def published(h, monkeypatch) -> list[DomainEvent]:
    from engage.events import bus

    out: list[DomainEvent] = []
    monkeypatch.setattr(bus, "publish", lambda events: out.extend(events))
    h.deliver_stream()
    return out


def test_events_carry_the_contact_and_mark_private_notes(h, shop, monkeypatch):
    t = shop["tenant_id"]
    h.deliver_stream()  # the registration's records
    cid = start(t, "user-1", "hi")
    note = reply(t, shop["owner_id"], cid, "internal", private=True)
    contact_id = access.visible_conversation(t, cid, end_user_id="user-1").contact_id

    events = published(h, monkeypatch)

    created = [e for e in events if e.type == "conversation.created"]
    assert len(created) == 1 and created[0].data["id"] == cid
    assert created[0].data["contact_id"] == contact_id and created[0].tenant_id == t
    messages = [e for e in events if e.type == "message.created"]
    assert {m.data["content"]: m.data["private"] for m in messages} == {
        "hi": False,
        "internal": True,
    }
    assert all(m.data["contact_id"] == contact_id for m in messages)
    assert any(m.data["id"] == note.id for m in messages)
    updated = [e for e in events if e.type == "conversation.updated"]
    assert updated and "last_activity_at" in updated[-1].data["changes"]
    assert "unread_count" in updated[-1].data["changes"]


def test_a_status_change_and_a_receipt_become_events(h, shop, monkeypatch):
    from engage.conversations.schemas import ConversationUpdate

    t = shop["tenant_id"]
    cid = start(t, "user-1")
    answer = reply(t, shop["owner_id"], cid, "done?")
    h.deliver_stream()

    inbox.update(t, cid, ConversationUpdate(status="pending", priority="high"))
    service.receipt_own(t, "user-1", cid, ReceiptStatus.READ, answer.id)
    events = published(h, monkeypatch)

    changes = [e.data["changes"] for e in events if e.type == "conversation.updated"]
    assert {"status", "priority"} <= set(changes[0])
    status = [e.data for e in events if e.type == "message.status_changed"]
    assert {(s["message_id"], s["status"], s["by"]) for s in status} == {
        (answer.id, "delivered", "user"),  # reading implies delivery
        (answer.id, "read", "user"),
    }
    assert status[0]["conversation_id"] == cid and status[0]["contact_id"]


def test_concurrent_retries_of_one_send_make_one_message(h, shop):
    from concurrent.futures import ThreadPoolExecutor

    t = shop["tenant_id"]
    cid = start(t, "user-1", None)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: say(t, "user-1", cid, "Hi", cmid="same"), range(6)))

    assert len({m.id for m, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(service.list_own_messages(t, "user-1", cid, None, None, 50).data) == 1
    assert inbox.get(t, cid).unread_count == 1


def test_concurrent_sends_are_all_counted(h, shop):
    from concurrent.futures import ThreadPoolExecutor

    t = shop["tenant_id"]
    cid = start(t, "user-1", None)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: say(t, "user-1", cid, f"m{n}"), range(12)))

    assert inbox.get(t, cid).unread_count == 12
    assert len(service.list_own_messages(t, "user-1", cid, None, None, 50).data) == 12
