"""Analytics (issue 11 "Analytics, from counters kept by event consumers"; seed 003 section 3):
domain events, delivered as the bus delivers them (EventBridge rule -> SQS ->
AnalyticsEventsFunction), move hourly and daily counters that the three `/analytics/*` routes
read with one Query. The clock is fixed (engage/core/clock.py); no sleeps."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from pynamodb.connection.base import Connection

from engage.core import clock
from engage.core.settings import get_settings
from engage.events import bus
from engage.events.envelope import DomainEvent, EventType
from tests.conftest import FUNCTIONS, _bus_rule_queue

_REAL = dt.datetime.now(dt.UTC)
_TODAY = _REAL.replace(hour=10, minute=30, second=0, microsecond=0)
NOW = _TODAY if _TODAY <= _REAL else _TODAY - dt.timedelta(days=1)
"""The fixed time of these tests: the latest 10:30 UTC (within a day of the real time, which
access tokens are checked against: the `now` fixture makes them last a day)."""
DAY = NOW.strftime("%Y-%m-%d")
CHANNELS = ("whatsapp", "sms", "chat", "email", "video", "voice")


@pytest.fixture
def queue(h):
    return _bus_rule_queue("AnalyticsRule")


def hour_stamp(n: int) -> str:
    """The trend timestamp of hour `n` of NOW's day."""
    return f"{DAY}T{n:02d}:00:00Z"


def day_stamp(at: dt.datetime) -> str:
    """The trend timestamp of the day of `at`."""
    return at.strftime("%Y-%m-%dT00:00:00Z")


def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """The clock fixed at NOW (moved by hand: `clock[0] = ...`); access tokens, checked
    against the real time, last a day."""
    monkeypatch.setenv("ACCESS_TOKEN_TTL_SECONDS", "86400")
    get_settings.cache_clear()
    current = [NOW]
    clock.set_clock(lambda: current[0])
    return current


@pytest.fixture
def now(h, monkeypatch):
    """The clock fixed at NOW (`fixed_clock`)."""
    return fixed_clock(monkeypatch)


def tenant_of(h, headers: dict) -> str:
    return str(h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"])


def iso(at: dt.datetime) -> str:
    return clock.iso(at)


def event(tenant_id: str, type_: EventType, when: dt.datetime, **data: Any) -> DomainEvent:
    return DomainEvent(
        id=str(uuid.uuid4()), type=type_, tenant_id=tenant_id, occurred_at=iso(when), data=data
    )


def created(tenant_id: str, cid: str, channel: str, at: dt.datetime) -> DomainEvent:
    return event(
        tenant_id,
        EventType.CONVERSATION_CREATED,
        at,
        id=cid,
        channel=channel,
        status="open",
        created_at=iso(at),
    )


def status(
    tenant_id: str, cid: str, channel: str, value: str, at: dt.datetime, started: dt.datetime
) -> DomainEvent:
    return event(
        tenant_id,
        EventType.CONVERSATION_UPDATED,
        at,
        id=cid,
        channel=channel,
        status=value,
        created_at=iso(started),
        changes=["status"],
    )


def message(
    tenant_id: str,
    cid: str,
    channel: str,
    sender: str,
    at: dt.datetime,
    private: bool = False,
    type_: str = "text",
) -> DomainEvent:
    return event(
        tenant_id,
        EventType.MESSAGE_CREATED,
        at,
        id=str(uuid.uuid4()),
        conversation_id=cid,
        channel=channel,
        sender=sender,
        type=type_,
        private=private,
        created_at=iso(at),
    )


def rating(tenant_id: str, channel: str, score: Any, at: dt.datetime) -> DomainEvent:
    return event(
        tenant_id,
        EventType.RATING_RECORDED,
        at,
        rating_id=str(uuid.uuid4()),
        session_id="s1",
        contact_id="c1",
        channel=channel,
        agent_id=None,
        score=score,
        comment=None,
        at=iso(at),
    )


def deliver(h, queue: str, events: list[DomainEvent]) -> int:
    """Publish `events` on the bus and give the analytics queue's records to the consumer."""
    bus.publish(events)
    records = 0
    for batch in h._queue_events(queue):
        result = FUNCTIONS["AnalyticsEventsFunction"].invoke(batch)
        assert not result.get("batchItemFailures"), result
        records += len(batch["Records"])
    return records


def get(h, headers: dict, path: str, **params: str) -> dict:
    resp = h.client.get(path, headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()


# -- a new tenant ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("time_range", "points"), [("1h", 1), ("24h", 24), ("7d", 7), ("30d", 30)])
def test_a_new_tenant_gets_every_shape_with_zeros_and_nulls(h, now, time_range, points):
    owner = h.register()
    # When a brand-new tenant opens the dashboard
    body = get(h, owner, "/analytics/dashboard", range=time_range)
    # Then counts are 0, figures without samples null, and the trend is zero-filled
    assert {k: body[k] for k in ("totalSessions", "activeChannels")} == {
        "totalSessions": 0,
        "activeChannels": 1,  # chat is always there
    }
    assert body["responseTime"] is None and body["satisfactionScore"] is None
    empty = {"sessions": 0, "messages": 0, "avg_response_time": None}
    assert body["channelMetrics"] == {
        "whatsapp": empty,
        "sms": empty,
        "chat": empty,
        "email": empty,
        "video": {**empty, "minutes": 0.0},
        "voice": {"calls": 0, "minutes": 0.0, "quality_score": None},
    }
    assert [p["sessions"] + p["messages"] for p in body["trends"]] == [0] * points
    stamps = [p["timestamp"] for p in body["trends"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == points
    last = hour_stamp(10) if time_range in ("1h", "24h") else day_stamp(NOW)
    assert stamps[-1] == last
    perf = get(h, owner, "/analytics/channel-performance", channel="sms", range=time_range)
    assert perf["channel"] == "sms" and perf["timeRange"] == time_range
    assert perf["metrics"] == {
        "totalSessions": 0,
        "avgResponseTime": None,
        "resolutionRate": None,
        "customerSatisfaction": None,
    }
    assert len(perf["hourlyData"]) == points
    csat = get(h, owner, "/analytics/customer-satisfaction", range=time_range)
    assert csat["overallScore"] is None and csat["totalResponses"] == 0
    assert csat["byChannel"] == dict.fromkeys(CHANNELS, None)
    assert [(p["score"], p["responses"]) for p in csat["trends"]] == [(None, 0)] * points


def test_the_defaults_are_24h_and_30d_and_other_ranges_or_channels_are_a_400(h, now):
    owner = h.register()
    assert len(get(h, owner, "/analytics/dashboard")["trends"]) == 24
    assert get(h, owner, "/analytics/channel-performance")["timeRange"] == "24h"
    assert len(get(h, owner, "/analytics/customer-satisfaction")["trends"]) == 30
    for path, params in (
        ("/analytics/dashboard", {"range": "2h"}),
        ("/analytics/channel-performance", {"range": "1y"}),
        ("/analytics/channel-performance", {"channel": "fax"}),
        ("/analytics/customer-satisfaction", {"range": ""}),
    ):
        resp = h.client.get(path, headers=owner, params=params)
        assert resp.status_code == 400, (path, resp.text)
        assert resp.json()["error"] == "validation_error"


# -- sessions, messages and ranges -----------------------------------------------------------------
def test_sessions_and_messages_count_per_channel_in_the_hour_and_day_they_happened(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    this_hour, earlier, days_ago = (
        NOW - dt.timedelta(minutes=10),
        NOW - dt.timedelta(hours=3),
        NOW - dt.timedelta(days=3),
    )
    events = [
        created(t, "w1", "whatsapp", this_hour),
        message(t, "w1", "whatsapp", "user", this_hour),
        message(t, "w1", "whatsapp", "agent", this_hour),
        message(t, "w1", "whatsapp", "agent", this_hour, private=True),  # a note
        message(t, "w1", "whatsapp", "system", this_hour, type_="event"),  # a transfer record
        created(t, "s1", "sms", earlier),
        message(t, "s1", "sms", "user", earlier),
        created(t, "c1", "chat", days_ago),
        message(t, "c1", "chat", "user", days_ago),
    ]
    deliver(h, queue, events)
    # Then the last hour holds the WhatsApp session, 24 hours add the SMS one, 7 days all
    last = get(h, owner, "/analytics/dashboard", range="1h")
    assert last["totalSessions"] == 1
    assert last["channelMetrics"]["whatsapp"]["sessions"] == 1
    assert last["channelMetrics"]["whatsapp"]["messages"] == 2
    assert last["trends"] == [{"timestamp": hour_stamp(10), "sessions": 1, "messages": 2}]
    day = get(h, owner, "/analytics/dashboard", range="24h")
    assert day["totalSessions"] == 2 and day["channelMetrics"]["sms"]["messages"] == 1
    assert day["channelMetrics"]["chat"]["sessions"] == 0
    points = {p["timestamp"]: (p["sessions"], p["messages"]) for p in day["trends"]}
    assert points[hour_stamp(7)] == (1, 1) and points[hour_stamp(10)] == (1, 2)
    assert sum(s for s, _ in points.values()) == 2
    week = get(h, owner, "/analytics/dashboard", range="7d")
    assert week["totalSessions"] == 3 and week["channelMetrics"]["chat"]["messages"] == 1
    assert [p["sessions"] for p in week["trends"]] == [0, 0, 0, 1, 0, 0, 2]
    assert week["trends"][3]["timestamp"] == day_stamp(days_ago)
    # And without a channel, channel performance is every channel together
    everything = get(h, owner, "/analytics/channel-performance", range="7d")
    assert everything["channel"] == "all" and everything["metrics"]["totalSessions"] == 3


def test_response_time_is_the_wait_from_a_customer_message_to_the_next_agent_reply(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    start = NOW - dt.timedelta(minutes=20)

    def at(seconds: int) -> dt.datetime:
        return start + dt.timedelta(seconds=seconds)

    # Given a customer who writes twice before an agent answers 60 s after the first message,
    # an agent who writes again unprompted, a bot, a note, and a second question answered 30 s
    # later
    events = [
        created(t, "c1", "chat", at(0)),
        message(t, "c1", "chat", "user", at(0)),
        message(t, "c1", "chat", "user", at(30)),
        message(t, "c1", "chat", "bot", at(40)),
        message(t, "c1", "chat", "agent", at(50), private=True),
        message(t, "c1", "chat", "agent", at(60)),
        message(t, "c1", "chat", "agent", at(90)),
        message(t, "c1", "chat", "user", at(120)),
        message(t, "c1", "chat", "agent", at(150)),
    ]
    deliver(h, queue, events)
    # Then two samples, 60 s and 30 s: a mean of 45 s
    body = get(h, owner, "/analytics/dashboard", range="1h")
    assert body["responseTime"] == 45.0
    assert body["channelMetrics"]["chat"] == {
        "sessions": 1,
        "messages": 7,
        "avg_response_time": 45.0,
    }
    perf = get(h, owner, "/analytics/channel-performance", channel="chat", range="1h")
    assert perf["metrics"]["avgResponseTime"] == 45.0
    assert perf["hourlyData"][0]["avg_response_time"] == 45.0
    # And a channel with no reply has no response time
    assert (
        get(h, owner, "/analytics/channel-performance", channel="sms", range="1h")["metrics"][
            "avgResponseTime"
        ]
        is None
    )


def test_a_customer_message_delivered_after_a_later_reply_starts_no_wait(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    start = NOW - dt.timedelta(minutes=20)
    late = message(t, "c1", "sms", "user", start)
    reply = message(t, "c1", "sms", "agent", start + dt.timedelta(seconds=40))
    # When the reply is counted before the question it answered arrives
    deliver(h, queue, [reply])
    deliver(h, queue, [late])
    # And the next agent message comes an hour later
    deliver(h, queue, [message(t, "c1", "sms", "agent", NOW)])
    # Then no hour-long wait was invented
    assert get(h, owner, "/analytics/dashboard", range="24h")["responseTime"] is None


def test_resolution_rate_counts_each_session_once_in_the_hour_it_started(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    started = NOW - dt.timedelta(hours=2)
    later = NOW - dt.timedelta(minutes=5)
    events = [created(t, f"c{i}", "whatsapp", started) for i in range(4)]
    events += [
        status(t, "c0", "whatsapp", "resolved", later, started),
        status(t, "c1", "whatsapp", "resolved", later, started),
        status(t, "c1", "whatsapp", "open", later + dt.timedelta(minutes=1), started),
        status(t, "c1", "whatsapp", "resolved", later + dt.timedelta(minutes=2), started),
        status(t, "c2", "whatsapp", "pending", later, started),
    ]
    deliver(h, queue, events)
    # Then two of the four sessions were resolved (a reopen neither un-counts nor re-counts)
    perf = get(h, owner, "/analytics/channel-performance", channel="whatsapp", range="24h")
    assert perf["metrics"]["totalSessions"] == 4
    assert perf["metrics"]["resolutionRate"] == 50.0
    point = next(p for p in perf["hourlyData"] if p["timestamp"] == hour_stamp(8))
    assert (point["sessions"], point["resolved"]) == (4, 2)
    # And within the last hour no session started: no rate
    assert (
        get(h, owner, "/analytics/channel-performance", channel="whatsapp", range="1h")["metrics"][
            "resolutionRate"
        ]
        is None
    )


def test_calls_count_voice_calls_and_talk_minutes_and_video_its_minutes(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    at = NOW - dt.timedelta(minutes=5)
    events = [
        event(
            t, EventType.CALL_COMPLETED, at, talk_seconds=150, outcome="answered", ended_at=iso(at)
        ),
        event(t, EventType.CALL_COMPLETED, at, talk_seconds=0, outcome="no_answer"),
        event(t, EventType.CALL_COMPLETED, at, talk_seconds=None, outcome="failed"),
        event(t, EventType.VIDEO_ENDED, at, session_id="v1", minutes=2, ended_at=iso(at)),
        event(t, EventType.VIDEO_ENDED, at, session_id="v2", minutes=1, ended_at=iso(at)),
    ]
    deliver(h, queue, events)
    metrics = get(h, owner, "/analytics/dashboard", range="1h")["channelMetrics"]
    # Then three calls, 2.5 talk minutes and no invented quality; three video minutes
    assert metrics["voice"] == {"calls": 3, "minutes": 2.5, "quality_score": None}
    assert metrics["video"]["minutes"] == 3.0


# -- satisfaction ----------------------------------------------------------------------------------
def test_ratings_average_overall_per_channel_and_per_day(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    today, yesterday = NOW - dt.timedelta(hours=1), NOW - dt.timedelta(days=1)
    events = [
        rating(t, "sms", 5, today),
        rating(t, "sms", 4, yesterday),
        rating(t, "chat", 3, today),
        rating(t, "chat", 9, today),  # not a 1-5 score: not counted
        rating(t, "chat", True, today),
        rating(t, "fax", 5, today),  # not a channel
    ]
    deliver(h, queue, events)
    csat = get(h, owner, "/analytics/customer-satisfaction")
    # Then the means of the three real ratings, one decimal
    assert csat["overallScore"] == 4.0 and csat["totalResponses"] == 3
    assert csat["byChannel"] == {**dict.fromkeys(CHANNELS, None), "sms": 4.5, "chat": 3.0}
    assert [(p["score"], p["responses"]) for p in csat["trends"][-2:]] == [(4.0, 1), (4.0, 2)]
    assert sum(p["responses"] for p in csat["trends"]) == 3
    # And the dashboard and channel performance agree
    assert get(h, owner, "/analytics/dashboard", range="7d")["satisfactionScore"] == 4.0
    perf = get(h, owner, "/analytics/channel-performance", channel="sms", range="7d")
    assert perf["metrics"]["customerSatisfaction"] == 4.5
    assert get(h, owner, "/analytics/dashboard", range="1h")["satisfactionScore"] is None


def test_a_mean_is_rounded_to_one_decimal(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    deliver(h, queue, [rating(t, "whatsapp", s, NOW) for s in (5, 4, 4)])
    assert get(h, owner, "/analytics/customer-satisfaction")["byChannel"]["whatsapp"] == 4.3


# -- once, and per tenant --------------------------------------------------------------------------
def test_replayed_events_count_once(h, queue, now):
    owner = h.register()
    t = tenant_of(h, owner)
    at = NOW - dt.timedelta(minutes=5)
    events = [
        created(t, "c1", "sms", at),
        message(t, "c1", "sms", "user", at),
        message(t, "c1", "sms", "agent", at + dt.timedelta(seconds=20)),
        status(t, "c1", "sms", "resolved", at + dt.timedelta(seconds=30), at),
        rating(t, "sms", 5, at),
        event(t, EventType.CALL_COMPLETED, at, talk_seconds=60),
    ]
    # When every event is delivered twice in one batch and once more later
    deliver(h, queue, events + events)
    deliver(h, queue, events)
    body = get(h, owner, "/analytics/dashboard", range="1h")
    # Then each counted once
    assert body["totalSessions"] == 1 and body["responseTime"] == 20.0
    assert body["channelMetrics"]["sms"]["messages"] == 2
    assert body["channelMetrics"]["voice"] == {"calls": 1, "minutes": 1.0, "quality_score": None}
    assert get(h, owner, "/analytics/customer-satisfaction")["totalResponses"] == 1
    perf = get(h, owner, "/analytics/channel-performance", channel="sms", range="1h")
    assert perf["metrics"]["resolutionRate"] == 100.0


def test_a_write_that_fails_is_retried_and_counted_once(h, queue, now, monkeypatch):
    from engage.analytics import store
    from engage.core.keys import Granularity

    owner = h.register()
    t = tenant_of(h, owner)
    real_add = store.add
    failures = [1]

    def flaky(tenant_id, granularity, *args, **kwargs):
        if granularity is Granularity.DAY and failures[0]:
            failures[0] -= 1
            raise RuntimeError("DynamoDB is unavailable")
        return real_add(tenant_id, granularity, *args, **kwargs)

    monkeypatch.setattr(store, "add", flaky)
    at = NOW - dt.timedelta(minutes=5)
    bus.publish([created(t, "c1", "chat", at), message(t, "c1", "chat", "user", at)])
    # When the daily write of the first record fails, the batch reports that record only
    batches = list(h._queue_events(queue))
    first = FUNCTIONS["AnalyticsEventsFunction"].invoke(batches[0])
    assert len(first["batchItemFailures"]) == 1
    # And SQS delivers the whole batch again
    assert not FUNCTIONS["AnalyticsEventsFunction"].invoke(batches[0])["batchItemFailures"]
    # Then the hour and the day each count the session once
    assert get(h, owner, "/analytics/dashboard", range="1h")["totalSessions"] == 1
    assert get(h, owner, "/analytics/dashboard", range="7d")["totalSessions"] == 1


def test_another_tenant_sees_nothing_of_these_counters(h, queue, now):
    mine, theirs = h.register("a@shop.test", "A"), h.register("b@shop.test", "B")
    t = tenant_of(h, mine)
    at = NOW - dt.timedelta(minutes=5)
    deliver(
        h,
        queue,
        [
            created(t, "c1", "chat", at),
            message(t, "c1", "chat", "user", at),
            rating(t, "chat", 5, at),
        ],
    )
    assert get(h, mine, "/analytics/dashboard", range="1h")["totalSessions"] == 1
    other = get(h, theirs, "/analytics/dashboard", range="1h")
    assert other["totalSessions"] == 0 and other["channelMetrics"]["chat"]["messages"] == 0
    assert get(h, theirs, "/analytics/customer-satisfaction")["totalResponses"] == 0


def test_active_channels_are_the_configured_ones_and_chat(h, now):
    owner = h.register()
    assert h.client.post("/channels/video/configure", headers=owner, json={}).status_code == 200
    assert get(h, owner, "/analytics/dashboard")["activeChannels"] == 2


def test_a_viewer_reads_analytics(h, now):
    from tests.unit.test_roles import _member

    owner = h.register()
    viewer = _member(h, owner, "viewer")
    auth = {"Authorization": viewer["Authorization"]}
    for path in ("dashboard", "channel-performance", "customer-satisfaction"):
        assert h.client.get(f"/analytics/{path}", headers=auth).status_code == 200


# -- cost ------------------------------------------------------------------------------------------
def test_a_route_reads_one_query_whatever_the_size_of_the_tenant(h, queue, now, monkeypatch):
    owner = h.register()
    t = tenant_of(h, owner)
    at = NOW - dt.timedelta(hours=1)

    def operations(path: str, **params: str) -> list[str]:
        seen: list[str] = []
        real = Connection._make_api_call

        def spy(self, operation_name, operation_kwargs):
            seen.append(operation_name)
            return real(self, operation_name, operation_kwargs)

        monkeypatch.setattr(Connection, "_make_api_call", spy)
        try:
            get(h, owner, path, **params)
        finally:
            monkeypatch.setattr(Connection, "_make_api_call", real)
        return seen

    def analytics_queries() -> dict[str, list[str]]:
        return {
            p: [op for op in operations(f"/analytics/{p}", range="30d") if op != "GetItem"]
            for p in ("dashboard", "channel-performance", "customer-satisfaction")
        }

    quiet = analytics_queries()
    # When the tenant becomes busy on every channel
    busy = []
    for i in range(40):
        channel = CHANNELS[i % 5]
        busy += [created(t, f"c{i}", channel, at), message(t, f"c{i}", channel, "user", at)]
    deliver(h, queue, busy)
    # Then each route still makes the same few queries (no Scan): the dashboard one for the
    # buckets and one for the channel configurations, the others one
    assert analytics_queries() == quiet
    assert quiet == {
        "dashboard": ["Query", "Query"],
        "channel-performance": ["Query"],
        "customer-satisfaction": ["Query"],
    }
