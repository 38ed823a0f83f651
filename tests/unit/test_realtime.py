"""Realtime (issue 9 "Realtime"): the WebSocket API's routes and the fan-out, with
`@connections` faked at its port (engage/realtime/push.py). tests/e2e drives the same over a
real socket against the local runtime."""

from __future__ import annotations

import json

import pytest

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


def _route(route: str, connection_id: str, **extra) -> dict:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    context = {"routeKey": route, "eventType": kind, "connectionId": connection_id}
    return FUNCTIONS["RealtimeFunction"].invoke({"requestContext": context, **extra})


def _connect(connection_id: str, headers: dict | None, name: str = "access_token") -> int:
    query = {name: headers["Authorization"].split()[1]} if headers else {}
    return _route("$connect", connection_id, queryStringParameters=query)["statusCode"]


def _send_campaign(h, headers, n: int = 2) -> None:
    for i in range(n):
        h.contact(headers, f"+1201555{300 + i:04d}", smsConsent="opted_in")
    c = h.campaign(headers)
    assert h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers).status_code == 200
    h.send_all()
    h.drain()


def test_a_team_member_socket_gets_its_tenants_campaign_progress_and_no_other(h, sockets):
    sent, _ = sockets
    # Given a member of each of two tenants connected (the console's `admin_token` works too)
    mine = h.register()
    theirs = h.register(email="other@shop.test", tenant="Other")
    assert _connect("c-mine", mine, name="admin_token") == 200
    assert _connect("c-theirs", theirs) == 200
    # When the first tenant sends a campaign
    _send_campaign(h, mine)
    # Then only its socket got progress, ending with the campaign sent
    progress = [f["data"] for f in sent.get("c-mine", []) if f["event"] == "campaign:progress"]
    assert progress and "c-theirs" not in sent
    sends = [d for d in progress if d["kind"] == "send"]
    assert sends[-1]["status"] == "sent" and sends[-1]["sent"] == 2
    assert len({d["event_id"] for d in progress}) == len(progress)


@pytest.mark.parametrize(
    "query",
    [{}, {"access_token": "nope"}, {"access_token": "a.b.c"}, {"api_key": "pk_x", "user_id": "u"}],
)
def test_a_socket_without_a_valid_token_never_opens(h, sockets, query):
    status = _route("$connect", "c1", queryStringParameters=query)["statusCode"]
    assert status == 401
    sent, _ = sockets
    headers = h.register()
    _send_campaign(h, headers, n=1)
    assert "c1" not in sent


def test_a_gone_socket_is_forgotten_when_a_push_finds_it(h, sockets):
    import datetime as dt

    from engage.core import clock
    from engage.realtime import store

    _, gone = sockets
    headers = h.register()
    assert _connect("c-gone", headers) == 200
    gone.add("c-gone")
    # (a minute later: a socket recorded moments ago may still be in its $connect)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=store.CONNECTING_SECONDS + 30)
    clock.set_clock(lambda: later)
    _send_campaign(h, headers, n=1)

    assert store.get_connection("c-gone") is None


def test_a_socket_still_connecting_is_not_forgotten_for_a_410(h, sockets):
    # Given a socket recorded by its $connect, to which API Gateway still answers 410 (posts
    # before $connect returns are refused)
    from engage.realtime import store

    _, gone = sockets
    headers = h.register()
    assert _connect("c-new", headers) == 200
    gone.add("c-new")
    # When an event is pushed at that moment
    _send_campaign(h, headers, n=1)
    # Then the socket is kept: once connected it gets the next events
    assert store.get_connection("c-new") is not None


def test_ping_answers_pong_and_a_bad_frame_answers_an_error_without_closing(h, sockets):
    sent, gone = sockets
    headers = h.register()
    assert _connect("c1", headers) == 200
    _route("ping", "c1", body=json.dumps({"action": "ping"}))
    _route("$default", "c1", body="not json")
    events = [f["event"] for f in sent["c1"]]
    assert events == ["pong", "error"]
    assert sent["c1"][1]["data"]["code"] == "validation_error"
    assert "c1" not in gone


def test_a_disconnected_socket_gets_nothing_more(h, sockets):
    sent, _ = sockets
    headers = h.register()
    assert _connect("c1", headers) == 200
    assert _route("$disconnect", "c1")["statusCode"] == 200
    _send_campaign(h, headers, n=1)
    assert "c1" not in sent


def test_an_event_delivered_twice_is_pushed_once(h, sockets):
    sent, _ = sockets
    headers = h.register()
    assert _connect("c1", headers) == 200
    from engage.events.envelope import DomainEvent, EventType
    from engage.realtime.fanout import deliver

    me = h.client.get("/auth/me", headers=headers).json()["data"]
    event = DomainEvent(
        id="e1",
        type=EventType.CAMPAIGN_PROGRESS,
        tenant_id=me["tenant"]["id"],
        occurred_at="2026-01-01T00:00:00Z",
        data={"campaign_id": "c", "kind": "receipts", "delta": {"delivered": 1}},
    )
    assert deliver(event) == 1
    assert deliver(event) == 0
    assert len(sent["c1"]) == 1
