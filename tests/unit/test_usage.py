"""Usage (issue 9 `GET /admin/account/usage`): the usage consumer counts the bus's conversation,
message and contact creations per tenant per calendar month (UTC), once per event id, and the
route answers this month's figures from those counters and the stored credits."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from engage.core import clock
from engage.events import bus
from engage.events.envelope import DomainEvent, EventType
from tests.conftest import FUNCTIONS, _bus_rule_queue


def tenant_of(h, headers: dict) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def event(tenant_id: str, type_: EventType, at: str | None = None, **data) -> DomainEvent:
    return DomainEvent(
        id=str(uuid.uuid4()),
        type=type_,
        tenant_id=tenant_id,
        occurred_at=at or clock.now_iso(),
        data={"conversation_id": "c1", **data},
    )


@pytest.fixture
def usage_queue(h):
    return _bus_rule_queue("UsageRule")


def run_consumer(h, queue_url: str) -> int:
    """Deliver the stream, then give the usage queue's records to UsageFunction."""
    h.deliver_stream()
    records = 0
    for batch in h._queue_events(queue_url):
        result = FUNCTIONS["UsageFunction"].invoke(batch)
        assert not result.get("batchItemFailures"), result
        records += len(batch["Records"])
    return records


def usage(h, headers: dict, period: str | None = None) -> dict:
    url = "/admin/account/usage" + (f"?period={period}" if period else "")
    resp = h.client.get(url, headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_a_new_tenant_has_zero_usage_in_this_utc_month(h):
    owner = h.register()
    body = usage(h, owner)
    now = clock.now()
    assert body["period"] == now.strftime("%Y-%m") and body["timezone"] == "UTC"
    assert body["period_start"] == now.strftime("%Y-%m-01T00:00:00.000Z")
    assert body["conversations"] == 0 and body["messages"]["total"] == 0
    assert body["counted_since"] is None
    assert body["credits"] == {"balance": 1000, "used": 0}


def test_the_period_ends_where_the_next_month_begins(h):
    owner = h.register()
    body = usage(h, owner, "2026-12")
    assert body["period_start"] == "2026-12-01T00:00:00.000Z"
    assert body["period_end"] == "2027-01-01T00:00:00.000Z"


@pytest.mark.parametrize("period", ["2026-13", "26-01", "now", "9999-12", "0001-01"])
def test_a_bad_period_is_a_400(h, period):
    owner = h.register()
    resp = h.client.get(f"/admin/account/usage?period={period}", headers=owner)
    assert resp.status_code == 400


def test_conversation_and_message_events_are_counted_by_sender(h, usage_queue):
    owner = h.register()
    tenant_id = tenant_of(h, owner)
    bus.publish(
        [
            event(tenant_id, EventType.CONVERSATION_CREATED),
            event(tenant_id, EventType.MESSAGE_CREATED, sender="user", private=False),
            event(tenant_id, EventType.MESSAGE_CREATED, sender="agent", private=False),
            event(tenant_id, EventType.MESSAGE_CREATED, sender="agent", private=True),
            event(tenant_id, EventType.MESSAGE_CREATED, sender="bot", private=False),
        ]
    )
    assert run_consumer(h, usage_queue) == 5
    body = usage(h, owner)
    assert body["conversations"] == 1
    assert body["messages"] == {
        "total": 4,
        "by_sender": {"user": 1, "agent": 2, "bot": 1, "system": 0},
        "private_notes": 1,
        "agent_replies": 1,
    }
    assert body["counted_since"]


def test_a_redelivered_event_is_counted_once(h, usage_queue):
    owner = h.register()
    tenant_id = tenant_of(h, owner)
    once = event(tenant_id, EventType.CONVERSATION_CREATED)
    bus.publish([once])
    bus.publish([once])
    assert run_consumer(h, usage_queue) == 2
    assert usage(h, owner)["conversations"] == 1


def test_a_failed_count_is_counted_by_the_retry(h, monkeypatch):
    from engage.usage import consumer, store

    owner = h.register()
    tenant_id = tenant_of(h, owner)
    happened = event(tenant_id, EventType.CONVERSATION_CREATED)
    real_add = store.add

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(store, "add", broken)
    with pytest.raises(RuntimeError):
        consumer.count(happened)
    monkeypatch.setattr(store, "add", real_add)
    assert consumer.count(happened) is True
    assert usage(h, owner)["conversations"] == 1


def test_events_count_in_the_month_they_happened(h):
    from engage.usage import consumer

    owner = h.register()
    tenant_id = tenant_of(h, owner)
    consumer.count(event(tenant_id, EventType.CONVERSATION_CREATED, at="2026-10-31T23:59:59Z"))
    consumer.count(event(tenant_id, EventType.CONVERSATION_CREATED, at="2026-11-01T00:00:00Z"))
    assert usage(h, owner, "2026-10")["conversations"] == 1
    assert usage(h, owner, "2026-11")["conversations"] == 1
    assert usage(h, owner, "2026-09")["conversations"] == 0


def test_another_tenants_events_are_not_counted(h, usage_queue):
    owner = h.register()
    other = h.register(email="other@else.test", tenant="Else")
    bus.publish([event(tenant_of(h, other), EventType.CONVERSATION_CREATED)])
    run_consumer(h, usage_queue)
    assert usage(h, owner)["conversations"] == 0
    assert usage(h, other)["conversations"] == 1


def test_created_contacts_are_counted_from_the_table_stream(h, usage_queue):
    owner = h.register()
    h.contact(owner, "+12015550100")
    h.contact(owner, "+12015550101")
    run_consumer(h, usage_queue)
    assert usage(h, owner)["contacts"] == {"created": 2, "total": 2}


def test_credits_used_come_from_the_per_day_statistics(h):
    from engage.campaigns import stats

    owner = h.register()
    tenant_id = tenant_of(h, owner)
    today = clock.now().astimezone(dt.UTC).date().isoformat()
    stats.add_daily(tenant_id, today, sent=3, credits_debited=3)
    body = usage(h, owner)
    assert body["credits"]["used"] == 3 and body["sms"]["sent"] == 3
