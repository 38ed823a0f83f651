"""`/v1/sync` (issue 9): an offline end user catches up exactly: every change after the
cursor, none missed when writes commit out of order, never a private note, never another end
user's data (engage/conversations/sync.py states the guarantee)."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.conversations import inbox, service
from engage.conversations.schemas import ConversationUpdate, ReceiptStatus
from engage.conversations.sync import SYNC_LAG_MS, sync
from engage.core import clock
from tests.unit.test_conversations import reply, say, start, tenant_of

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> None:
    clock.set_clock(lambda: T0 + dt.timedelta(seconds=seconds))


@pytest.fixture
def shop(h):
    headers = h.register()
    tenant_id, owner_id = tenant_of(h, headers)
    return {"tenant_id": tenant_id, "owner_id": owner_id}


def ids_of(page) -> list[str]:
    return [m.id for m in page.messages]


def test_a_first_sync_returns_everything_the_end_user_may_see(h, shop):
    t = shop["tenant_id"]
    at(0)
    cid = start(t, "user-1", "hello")
    answer = reply(t, shop["owner_id"], cid, "hi there")
    note = reply(t, shop["owner_id"], cid, "internal only", private=True)
    start(t, "someone-else", "not yours")
    at(60)

    page = sync(t, "user-1", None, 100)

    assert [c.id for c in page.conversations] == [cid]
    assert answer.id in ids_of(page) and note.id not in ids_of(page)
    assert {m.content for m in page.messages} == {"hello", "hi there"}
    assert not page.has_more


def test_a_change_that_commits_late_is_not_missed(h, shop):
    t = shop["tenant_id"]
    at(0)
    cid = start(t, "user-1", "first")
    at(9)  # a write stamped at 9 s commits before the sync
    early, _ = say(t, "user-1", cid, "stamped at 9 s, committed at once")
    at(10)
    before = sync(t, "user-1", None, 100)
    at(6)  # a write stamped at 6 s commits only now, after the sync ran
    late, _ = say(t, "user-1", cid, "stamped at 6 s, committed after the sync")
    at(30)

    after = sync(t, "user-1", before.next_cursor, 100)

    assert early.id not in ids_of(before)  # not yet: younger than the lag
    assert {late.id, early.id} <= set(ids_of(after))
    seen = set(ids_of(before)) | set(ids_of(after))
    assert {m.id for m in service.list_own_messages(t, "user-1", cid, None, None, 100).data} <= seen


def test_receipts_and_status_changes_come_through_sync(h, shop):
    t = shop["tenant_id"]
    at(0)
    cid = start(t, "user-1", "hello")
    mine = service.list_own_messages(t, "user-1", cid, None, None, 10).data[0]
    at(30)
    first = sync(t, "user-1", None, 100)
    at(40)
    inbox.receipt(t, cid, ReceiptStatus.READ, mine.id)
    inbox.update(t, cid, ConversationUpdate(status="pending"))
    at(60)

    page = sync(t, "user-1", first.next_cursor, 100)

    assert [m.id for m in page.messages] == [mine.id] and page.messages[0].read_at
    assert [c.status for c in page.conversations] == ["pending"]


def test_a_sync_within_the_lag_returns_nothing_yet_and_keeps_its_place(h, shop):
    t = shop["tenant_id"]
    at(0)
    cid = start(t, "user-1", "hello")
    at(SYNC_LAG_MS / 1000 / 2)

    early = sync(t, "user-1", None, 100)
    at(60)
    later = sync(t, "user-1", early.next_cursor, 100)

    assert early.messages == [] and early.conversations == []
    assert [c.id for c in later.conversations] == [cid] and later.messages


def test_sync_pages_with_has_more_and_misses_nothing(h, shop):
    t = shop["tenant_id"]
    at(0)
    cid = start(t, "user-1", None)
    sent = []
    for i in range(7):
        at(i + 1)
        sent.append(say(t, "user-1", cid, f"m{i}")[0].id)
    at(100)

    got, cursor, rounds = [], None, 0
    while True:
        page = sync(t, "user-1", cursor, 3)
        got += ids_of(page)
        cursor, rounds = page.next_cursor, rounds + 1
        if not page.has_more:
            break

    assert set(sent) <= set(got) and rounds >= 3


def test_an_end_user_who_never_identified_gets_an_empty_sync(h, shop):
    page = sync(shop["tenant_id"], "nobody", None, 100)
    assert page.messages == [] and page.conversations == [] and not page.has_more


@pytest.mark.parametrize("cursor", ["x", "9" * 13, "0000000000000#abc", "\ud800", "1" * 500])
def test_a_malformed_cursor_is_a_400(h, shop, cursor):
    from engage.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        sync(shop["tenant_id"], "user-1", cursor, 10)
