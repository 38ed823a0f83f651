"""Video sessions (issue 10 "video"; README "Video sessions"): a session is a meeting of the
sandbox (the default) or of Amazon Chime SDK Meetings in the customer's video conversation;
its minutes come from the meeting's end, recorded once whether the end route or Chime's
`chime:MeetingEnded` event (functions/video_events/app.py) comes first, and published as one
`video.ended` domain event. Chime is stubbed below boto3 (botocore's Stubber on the real
client our adapter calls)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import botocore.session
import pytest
from botocore.stub import ANY, Stubber

from engage.channels.chime_video import ChimeVideo
from engage.channels.video_base import VideoRefused
from engage.channels.video_sandbox import VIDEO_OUTBOX
from engage.core import aws, clock, keys
from engage.core.settings import get_settings
from local.cfn import ROOT
from tests.conftest import FUNCTIONS
from tests.unit.test_events import _heard, _listen
from tests.unit.test_no_500 import send_json

MEETING_ID = "87654321-4321-4321-1234-111122223333"
PLACEMENT = {
    "AudioHostUrl": "abc.k.m1.ue1.app.chime.aws:3478",
    "AudioFallbackUrl": "wss://haxrp.m1.ue1.app.chime.aws:443/calls/abc",
    "SignalingUrl": "wss://signal.m1.ue1.app.chime.aws/control/abc",
    "TurnControlUrl": "https://ccp.cp.ue1.app.chime.aws/v2/turn_sessions",
    "EventIngestionUrl": "https://data.svc.ue1.ingest.chime.aws/v1/client-events",
}


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        clock.set_clock(lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def fake_clock(h) -> FakeClock:
    return FakeClock()


@pytest.fixture(autouse=True)
def _empty_sandbox():
    VIDEO_OUTBOX.clear()
    yield
    VIDEO_OUTBOX.clear()


def _me(h, headers: dict) -> dict[str, Any]:
    return h.client.get("/auth/me", headers=headers).json()["data"]


def _start(h, headers: dict, customer_id: str, **body: Any) -> dict[str, Any]:
    resp = h.client.post(
        "/video/sessions", headers=headers, json={"customer_id": customer_id, **body}
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def _chime_event(session: dict, kind: str = "chime:MeetingEnded", at: dt.datetime | None = None):
    event = json.loads((ROOT / "events/eventbridge_chime_meeting_ended.json").read_text())
    event["detail"]["eventType"] = kind
    event["detail"]["meetingId"] = session["meeting"]["meeting_id"]
    event["detail"]["externalMeetingId"] = session["meeting"]["external_meeting_id"]
    if at is not None:
        event["detail"]["timestamp"] = int(at.timestamp() * 1000)
    return event


def _deliver(event: dict) -> dict:
    """Hand an EventBridge event to the video events worker, as the rule's target would."""
    return FUNCTIONS["VideoEventsFunction"].invoke(event)


# -- the sandbox, end to end through the HTTP app -----------------------------------------------
def test_an_agent_starts_a_session_and_gets_the_meeting_and_both_join_tokens(h):
    # Given a tenant with a customer
    headers = h.register()
    me = _me(h, headers)
    customer = h.contact(headers, "+12015550123", firstName="Ada")
    # When the owner starts a video session with them
    session = _start(h, headers, customer["id"])
    # Then the answer carries the meeting and each attendee's join information
    assert session["status"] == "active" and session["provider"] == "sandbox"
    assert session["customer_id"] == customer["id"] and session["agent_id"] == me["user"]["id"]
    meeting = session["meeting"]
    assert meeting["meeting_id"] and meeting["media_region"] == "us-east-1"
    assert meeting["media_placement"]["SignalingUrl"].startswith("wss://")
    roles = {a["role"]: a for a in session["attendees"]}
    assert roles["agent"]["external_user_id"] == me["user"]["id"]
    assert roles["customer"]["external_user_id"] == customer["id"]
    assert all(a["join_token"] and a["attendee_id"] for a in roles.values())
    # And the session is in a conversation of the customer on the video channel
    conv = h.client.get(f"/admin/api/conversations/{session['conversation_id']}", headers=headers)
    assert conv.status_code == 200 and conv.json()["channel"] == "video"
    # And the sandbox recorded the meeting with both attendees
    (record,) = VIDEO_OUTBOX.list()
    assert record["meetingId"] == meeting["meeting_id"]
    assert record["attendees"] == [me["user"]["id"], customer["id"]]


def test_reading_a_session_shows_it_without_join_tokens(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    # When it is read back
    resp = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers)
    # Then it is the same session, and no join token is ever read back
    assert resp.status_code == 200
    body = resp.json()
    assert body["meeting"] == session["meeting"]
    assert [a["join_token"] for a in body["attendees"]] == [None, None]
    assert "sandbox-" not in resp.text


def test_a_second_session_reuses_the_customers_open_video_conversation(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    first = _start(h, headers, customer["id"])
    # When another session with the same customer starts
    second = _start(h, headers, customer["id"])
    # Then it is a new meeting in the same video conversation
    assert second["session_id"] != first["session_id"]
    assert second["meeting"]["meeting_id"] != first["meeting"]["meeting_id"]
    assert second["conversation_id"] == first["conversation_id"]
    # And naming that conversation works too
    third = _start(h, headers, customer["id"], conversation_id=first["conversation_id"])
    assert third["conversation_id"] == first["conversation_id"]


def test_ending_a_session_records_its_duration_and_publishes_video_ended(h, fake_clock):
    # Given a rule for video events and a session that has run for 2 min 5 s
    url = _listen({"source": ["engage"], "detail-type": ["video.ended"]})
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    fake_clock.advance(seconds=125)
    # When the agent ends it
    resp = h.client.post(f"/video/sessions/{session['session_id']}/end", headers=headers)
    # Then it has ended, after 125 seconds, 3 minutes (rounded up), by the route
    assert resp.status_code == 200, resp.text
    ended = resp.json()
    assert ended["status"] == "ended" and ended["ended_by"] == "api"
    assert ended["duration_seconds"] == 125 and ended["minutes"] == 3
    # And the sandbox meeting is over
    assert VIDEO_OUTBOX.get(session["meeting"]["meeting_id"])["status"] == "ended"
    # And the bus carried one video.ended with the session, its conversation and minutes
    h.deliver_stream()
    (event,) = [e["detail"] for e in _heard(url)]
    assert event["type"] == "video.ended"
    assert event["data"]["session_id"] == session["session_id"]
    assert event["data"]["conversation_id"] == session["conversation_id"]
    assert event["data"]["minutes"] == 3 and event["data"]["duration_seconds"] == 125
    # And the active list no longer shows it
    active = h.client.get("/video/sessions?status=active", headers=headers).json()
    assert active["data"] == []


def test_the_active_list_shows_running_sessions_newest_first(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    first = _start(h, headers, customer["id"])
    second = _start(h, headers, customer["id"])
    h.client.post(f"/video/sessions/{first['session_id']}/end", headers=headers)
    active = h.client.get("/video/sessions?status=active", headers=headers).json()
    every = h.client.get("/video/sessions?limit=1", headers=headers).json()
    assert [s["session_id"] for s in active["data"]] == [second["session_id"]]
    assert [s["session_id"] for s in every["data"]] == [second["session_id"]]
    rest = h.client.get(f"/video/sessions?cursor={every['next_cursor']}", headers=headers).json()
    assert [s["session_id"] for s in rest["data"]] == [first["session_id"]]


# -- minutes from the meeting's end: the event and the route, once ------------------------------
def test_chimes_meeting_ended_event_ends_the_session_with_its_minutes(h, fake_clock):
    url = _listen({"source": ["engage"], "detail-type": ["video.ended"]})
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    started = fake_clock.now
    # When Chime says the meeting started 10 s later and ended 70 s after that
    _deliver(_chime_event(session, "chime:MeetingStarted", started + dt.timedelta(seconds=10)))
    result = _deliver(_chime_event(session, at=started + dt.timedelta(seconds=80)))
    # Then the session ended then, its duration counted from Chime's start
    assert result == {"changed": True}
    body = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers).json()
    assert body["status"] == "ended" and body["ended_by"] == "event"
    assert body["duration_seconds"] == 70 and body["minutes"] == 2
    assert body["started_at"] == clock.iso(started + dt.timedelta(seconds=10))
    # And the start published nothing, the end one video.ended of 2 minutes
    h.deliver_stream()
    (event,) = [e["detail"] for e in _heard(url)]
    assert event["data"]["minutes"] == 2 and event["data"]["ended_by"] == "event"


def test_the_end_route_then_the_event_count_one_duration_and_one_event(h, fake_clock):
    url = _listen({"source": ["engage"], "detail-type": ["video.ended"]})
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    fake_clock.advance(seconds=30)
    ended = h.client.post(f"/video/sessions/{session['session_id']}/end", headers=headers).json()
    # When Chime's MeetingEnded (sent after DeleteMeeting) arrives later, twice
    later = fake_clock.now + dt.timedelta(minutes=5)
    assert _deliver(_chime_event(session, at=later)) == {"changed": False}
    assert _deliver(_chime_event(session, at=later)) == {"changed": False}
    # Then the session keeps the route's end and duration
    body = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers).json()
    assert body["ended_at"] == ended["ended_at"] and body["duration_seconds"] == 30
    # And ending it again answers the same session
    again = h.client.post(f"/video/sessions/{session['session_id']}/end", headers=headers)
    assert again.status_code == 200 and again.json()["ended_at"] == ended["ended_at"]
    # And one video.ended was published
    h.deliver_stream()
    assert len(_heard(url)) == 1


def test_the_event_twice_gives_one_duration_and_one_event(h, fake_clock):
    url = _listen({"source": ["engage"], "detail-type": ["video.ended"]})
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    first_end = fake_clock.now + dt.timedelta(seconds=61)
    assert _deliver(_chime_event(session, at=first_end)) == {"changed": True}
    assert _deliver(_chime_event(session, at=first_end + dt.timedelta(seconds=9))) == {
        "changed": False
    }
    body = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers).json()
    assert body["duration_seconds"] == 61 and body["minutes"] == 2
    h.deliver_stream()
    (event,) = _heard(url)
    assert event["detail"]["data"]["minutes"] == 2


def test_an_event_for_a_meeting_that_is_not_the_sessions_changes_nothing(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    forged = _chime_event(session)
    forged["detail"]["meetingId"] = MEETING_ID  # the external id names the session, not this
    other_source = _chime_event(session)
    other_source["source"] = "engage"
    assert _deliver(forged) == {"changed": False}
    assert _deliver(other_source) == {"changed": False}
    assert _deliver({"detail": "garbage"}) == {"changed": False}
    body = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers).json()
    assert body["status"] == "active"


def test_the_local_runtime_simulates_chimes_event_for_a_sandbox_meeting(h, fake_clock):
    from fastapi.testclient import TestClient

    from local.functions import build_http_app
    from local.pages_video import video_local_router

    local = TestClient(build_http_app(FUNCTIONS, [video_local_router]))
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    tenant_id = _me(h, headers)["tenant"]["id"]
    listed = local.get(f"/_local/video/meetings?tenant={tenant_id}").json()["data"]
    assert [m["meeting_id"] for m in listed] == [session["meeting"]["meeting_id"]]
    fake_clock.advance(seconds=42)
    # When everyone leaves the sandbox meeting (Chime's MeetingEnded, simulated)
    resp = local.post(f"/_local/video/meetings/{session['meeting']['meeting_id']}/ended")
    # Then the session ended through the event's path
    assert resp.status_code == 200 and resp.json()["changed"] is True
    body = h.client.get(f"/video/sessions/{session['session_id']}", headers=headers).json()
    assert body["ended_by"] == "event" and body["duration_seconds"] == 42
    assert local.post("/_local/video/meetings/nope/ended").status_code == 404


# -- isolation and bad input ----------------------------------------------------------------------
def test_another_tenants_session_customer_and_conversation_are_404(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    session = _start(h, headers, customer["id"])
    other = h.register("other@shop.test", "Other")
    sid = session["session_id"]
    assert h.client.get(f"/video/sessions/{sid}", headers=other).status_code == 404
    assert h.client.post(f"/video/sessions/{sid}/end", headers=other).status_code == 404
    assert h.client.get("/video/sessions", headers=other).json()["data"] == []
    resp = h.client.post("/video/sessions", headers=other, json={"customer_id": customer["id"]})
    assert resp.status_code == 404 and resp.json()["error"] == "not_found"
    # And the session is untouched
    assert h.client.get(f"/video/sessions/{sid}", headers=headers).json()["status"] == "active"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"customer_id": "not-an-id"},
        {"customer_id": "\ud800"},
        {"customer_id": 5},
        {"customer_id": "01JD0000000000000000000000", "extra": 1},
        {"customer_id": "01JD0000000000000000000000", "conversation_id": ["x"]},
    ],
)
def test_a_malformed_body_is_a_400_in_the_envelope(h, body):
    headers = h.register()
    resp = send_json(h, "POST", "/video/sessions", headers, body)  # escapes lone surrogates
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "validation_error"
    assert VIDEO_OUTBOX.count() == 0


def test_unknown_ids_are_404_and_a_conversation_on_another_channel_is_a_400(h):
    headers = h.register()
    customer = h.contact(headers, "+12015550123")
    unknown = "01JD0000000000000000000000"
    assert (
        h.client.post("/video/sessions", headers=headers, json={"customer_id": unknown})
    ).status_code == 404
    body = {"customer_id": customer["id"], "conversation_id": unknown}
    assert h.client.post("/video/sessions", headers=headers, json=body).status_code == 404
    for path in ("nope", unknown, "%F0%9F%92%A5", "x" * 64):
        assert h.client.get(f"/video/sessions/{path}", headers=headers).status_code == 404
        assert h.client.post(f"/video/sessions/{path}/end", headers=headers).status_code == 404
    assert h.client.get("/video/sessions?cursor=zzz", headers=headers).status_code == 400
    # A chat conversation of the same customer is not a video conversation
    from engage.contacts import store as contacts
    from engage.conversations.schemas import Channel
    from engage.conversations.service import open_conversation

    tenant_id = _me(h, headers)["tenant"]["id"]
    chat = open_conversation(tenant_id, contacts.get(tenant_id, customer["id"]), Channel.CHAT)
    chat_id = keys.parse_conversation_partition(chat.pk)[1]
    body = {"customer_id": customer["id"], "conversation_id": chat_id}
    resp = h.client.post("/video/sessions", headers=headers, json=body)
    assert resp.status_code == 400 and "conversation_id" in resp.json()["details"]
    assert VIDEO_OUTBOX.count() == 0


def test_a_viewer_reads_sessions_but_cannot_start_or_end_one(h):
    from tests.unit.test_roles import _member

    owner = h.register()
    customer = h.contact(owner, "+12015550123")
    session = _start(h, owner, customer["id"])
    viewer = {"Authorization": _member(h, owner, "viewer")["Authorization"]}
    agent = {"Authorization": _member(h, owner, "agent")["Authorization"]}
    sid = session["session_id"]
    assert h.client.get(f"/video/sessions/{sid}", headers=viewer).status_code == 200
    body = {"customer_id": customer["id"]}
    assert h.client.post("/video/sessions", headers=viewer, json=body).status_code == 403
    assert h.client.post(f"/video/sessions/{sid}/end", headers=viewer).status_code == 403
    assert h.client.post("/video/sessions", headers=agent, json=body).status_code == 201
    assert h.client.post(f"/video/sessions/{sid}/end", headers=agent).status_code == 200


# -- Amazon Chime SDK Meetings, stubbed below boto3 ------------------------------------------------
def _chime_client() -> tuple[Any, Stubber]:
    client = botocore.session.get_session().create_client(
        "chime-sdk-meetings", region_name="us-east-1"
    )
    return client, Stubber(client)


def _meeting_answer(external: str) -> dict[str, Any]:
    return {
        "Meeting": {
            "MeetingId": MEETING_ID,
            "ExternalMeetingId": external,
            "MediaRegion": "us-east-1",
            "MediaPlacement": PLACEMENT,
            "MeetingArn": f"arn:aws:chime:us-east-1:123456789012:meeting/{MEETING_ID}",
        }
    }


def _attendee_answer(user: str, n: int) -> dict[str, Any]:
    return {
        "Attendee": {
            "ExternalUserId": user,
            "AttendeeId": f"a{n}a{n}a{n}a{n}-1111-2222-3333-444455556666",
            "JoinToken": f"join-token-{n}-" + "x" * 40,
        }
    }


@pytest.fixture
def chime(h, monkeypatch) -> Stubber:
    """VIDEO_PROVIDER=chime, its botocore client wrapped in a Stubber (our adapter runs)."""
    monkeypatch.setenv("VIDEO_PROVIDER", "chime")
    get_settings.cache_clear()
    client, stubber = _chime_client()
    real = aws.client

    def clients(service: str, endpoint_url: str | None = None) -> Any:
        return client if service == "chime-sdk-meetings" else real(service, endpoint_url)

    clients.cache_clear = real.cache_clear  # type: ignore[attr-defined] # h's teardown calls it
    monkeypatch.setattr(aws, "client", clients)
    stubber.activate()
    yield stubber
    stubber.deactivate()
    get_settings.cache_clear()


def test_with_chime_a_session_is_a_chime_meeting_with_two_attendees(h, chime):
    headers = h.register()
    me = _me(h, headers)
    customer = h.contact(headers, "+12015550123")
    chime.add_response(
        "create_meeting",
        _meeting_answer("ext"),
        {"ClientRequestToken": ANY, "ExternalMeetingId": ANY, "MediaRegion": "us-east-1"},
    )
    chime.add_response(
        "create_attendee",
        _attendee_answer(me["user"]["id"], 1),
        {"MeetingId": MEETING_ID, "ExternalUserId": me["user"]["id"]},
    )
    chime.add_response(
        "create_attendee",
        _attendee_answer(customer["id"], 2),
        {"MeetingId": MEETING_ID, "ExternalUserId": customer["id"]},
    )
    session = _start(h, headers, customer["id"])
    chime.assert_no_pending_responses()
    assert session["provider"] == "chime"
    assert session["meeting"]["meeting_id"] == MEETING_ID
    assert session["meeting"]["media_placement"] == PLACEMENT
    tokens = [a["join_token"] for a in session["attendees"]]
    assert tokens[0].startswith("join-token-1-") and tokens[1].startswith("join-token-2-")
    # When the agent ends it, the meeting is deleted; a meeting Chime already dropped is fine
    chime.add_client_error(
        "delete_meeting",
        "NotFoundException",
        http_status_code=404,
        expected_params={"MeetingId": MEETING_ID},
    )
    resp = h.client.post(f"/video/sessions/{session['session_id']}/end", headers=headers)
    assert resp.status_code == 200 and resp.json()["status"] == "ended"
    chime.assert_no_pending_responses()


def test_with_chime_a_refusal_is_a_502_and_leaves_no_meeting_or_session(h, chime):
    headers = h.register()
    me = _me(h, headers)
    customer = h.contact(headers, "+12015550123")
    chime.add_response("create_meeting", _meeting_answer("ext"))
    chime.add_response("create_attendee", _attendee_answer(me["user"]["id"], 1))
    chime.add_client_error("create_attendee", "LimitExceededException", http_status_code=400)
    chime.add_response("delete_meeting", {}, {"MeetingId": MEETING_ID})
    resp = h.client.post("/video/sessions", headers=headers, json={"customer_id": customer["id"]})
    assert resp.status_code == 502, resp.text
    assert resp.json()["error"] == "provider_error"
    assert resp.json()["details"] == {"reason": "LimitExceededException"}
    chime.assert_no_pending_responses()
    assert h.client.get("/video/sessions", headers=headers).json()["data"] == []
    convs = h.client.get("/admin/api/conversations?channel=video", headers=headers).json()
    assert convs["data"] == []


def test_the_chime_adapter_makes_meetings_idempotent_and_reads_gone_meetings_as_none(h):
    client, stubber = _chime_client()
    adapter = ChimeVideo(get_settings(), client)
    external = "01JD0000000000000000000000.01JD0000000000000000000001"
    token = "01JD0000000000000000000000-01JD0000000000000000000001"
    expected = {"ClientRequestToken": token, "ExternalMeetingId": external, "MediaRegion": ANY}
    stubber.add_response("create_meeting", _meeting_answer(external), expected)
    stubber.add_response("get_meeting", _meeting_answer(external), {"MeetingId": MEETING_ID})
    stubber.add_client_error("get_meeting", "NotFoundException", http_status_code=404)
    stubber.add_client_error("get_meeting", "ForbiddenException", http_status_code=403)
    stubber.add_client_error("create_attendee", "NotFoundException", http_status_code=404)
    with stubber:
        meeting = adapter.create_meeting(external, "01JD0000000000000000000000")
        assert meeting.external_meeting_id == external and meeting.media_region == "us-east-1"
        assert adapter.get_meeting(MEETING_ID) == meeting
        assert adapter.get_meeting(MEETING_ID) is None
        with pytest.raises(VideoRefused) as refused:
            adapter.get_meeting(MEETING_ID)
        assert refused.value.reason == "ForbiddenException"
        with pytest.raises(VideoRefused):
            adapter.create_attendee(MEETING_ID, "01JD0000000000000000000002")
    stubber.assert_no_pending_responses()
