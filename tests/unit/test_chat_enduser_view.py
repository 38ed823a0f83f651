"""What an end user sees of a conversation (issue 9; README "Chat platform: conversations"):
never the team's labels, priority, snooze time or assignee id, by `/v1` or by socket, with
their own unread count; a sync cursor from the future is refused; the send replay's 200 is in
the OpenAPI document; usage counts notes as README says."""

from __future__ import annotations

import datetime as dt

import pytest

from engage.core import clock, keys
from engage.events.envelope import DomainEvent
from engage.realtime.views import audiences
from local.functions import build_http_app
from tests.conftest import FUNCTIONS
from tests.unit.test_chat_api import app_, open_conversation  # noqa: F401 (fixture)
from tests.unit.test_events import _heard, _listen
from tests.unit.test_usage import run_consumer, usage, usage_queue  # noqa: F401 (fixture)

INTERNAL = {"labels", "priority", "assignee_id", "snoozed_until"}
STAMP = {"event_id", "occurred_at", "created", "changes"}


def me_of(h, owner: dict) -> str:
    return h.client.get("/auth/me", headers=owner).json()["data"]["user"]["id"]


def later(seconds: float = 60) -> None:
    now = clock.now()
    clock.set_clock(lambda: now + dt.timedelta(seconds=seconds))


@pytest.fixture
def triaged(h, app_):  # noqa: F811
    """Alice's conversation, which an agent labelled, made urgent and took."""
    owner, user = app_
    conv = open_conversation(h, user("alice"))
    body = {"labels": ["angry-customer"], "priority": "urgent", "assignee_id": me_of(h, owner)}
    resp = h.client.put(f"/admin/api/conversations/{conv['id']}", headers=owner, json=body)
    assert resp.status_code == 200, resp.text
    return owner, user, conv["id"]


def test_the_end_user_never_sees_the_teams_labels_priority_or_assignee(h, triaged):
    owner, user, cid = triaged
    later()
    # When alice reads her conversation, her list and her sync
    one = h.client.get(f"/v1/conversations/{cid}", headers=user("alice"))
    listed = h.client.get("/v1/conversations", headers=user("alice"))
    synced = h.client.get("/v1/sync", headers=user("alice"))
    # Then none carries the team's fields, only that someone has it
    for resp in (one, listed, synced):
        assert resp.status_code == 200 and "angry-customer" not in resp.text, resp.text
        assert "urgent" not in resp.text
    seen = [one.json(), listed.json()["data"][0], synced.json()["conversations"][0]]
    for conversation in seen:
        assert not INTERNAL & conversation.keys(), conversation
        assert conversation["assigned"] is True and conversation["id"] == cid
    # while the console still has them
    console = h.client.get(f"/admin/api/conversations/{cid}", headers=owner).json()
    assert console["labels"] == ["angry-customer"] and console["priority"] == "urgent"


def test_a_conversation_nobody_took_is_not_assigned_for_the_end_user(h, app_):  # noqa: F811
    _, user = app_
    conv = open_conversation(h, user("alice"))
    assert conv["assigned"] is False
    got = h.client.get(f"/v1/conversations/{conv['id']}", headers=user("alice")).json()
    assert got["assigned"] is False


def test_the_end_users_unread_count_is_their_own(h, app_):  # noqa: F811
    owner, user = app_
    cid = open_conversation(h, user("alice"))["id"]
    replies = f"/admin/api/conversations/{cid}/messages"
    for text in ("Hi", "How can I help?"):
        assert h.client.post(replies, headers=owner, json={"content": text}).status_code == 201
    later()
    # When both sides read the conversation
    mine = h.client.get(f"/v1/conversations/{cid}", headers=user("alice")).json()
    listed = h.client.get("/v1/conversations", headers=user("alice")).json()["data"][0]
    synced = h.client.get("/v1/sync", headers=user("alice")).json()["conversations"][0]
    console = h.client.get(f"/admin/api/conversations/{cid}", headers=owner).json()
    # Then alice counts the team's two replies, the console her one message
    assert mine["unread_count"] == listed["unread_count"] == synced["unread_count"] == 2
    assert console["unread_count"] == 1


def test_the_end_users_socket_shows_the_same_fields_as_http(h, app_):  # noqa: F811
    owner, user = app_
    url = _listen({"source": ["engage"], "detail-type": [{"prefix": "conversation."}]})
    cid = open_conversation(h, user("alice"))["id"]
    body = {"labels": ["angry-customer"], "priority": "urgent", "assignee_id": me_of(h, owner)}
    h.client.put(f"/admin/api/conversations/{cid}", headers=owner, json=body)
    h.deliver_stream()
    # When the stream's conversation events are turned into the end user's frames
    frames = [audiences(DomainEvent.model_validate(e["detail"])) for e in _heard(url)]
    mine = [f.end_user for f in frames if f is not None and f.end_user is not None]
    # Then the last frame is, field for field, what GET /v1/conversations/{id} answers
    got = h.client.get(f"/v1/conversations/{cid}", headers=user("alice")).json()
    assert mine and {k: v for k, v in mine[-1].items() if k not in STAMP} == got
    assert all(not INTERNAL & frame.keys() for frame in mine)


def test_a_sync_cursor_later_than_now_is_a_400_saying_so(h, app_):  # noqa: F811
    _, user = app_
    open_conversation(h, user("alice"))
    future = keys.sync_index_upper(clock.now_ms() + 3_600_000)
    resp = h.client.get("/v1/sync", headers=user("alice"), params={"cursor": future})
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "validation_error"
    assert "later than" in resp.json()["message"]


def test_a_cursor_within_the_clock_skew_allowance_waits_and_then_syncs(h, app_):  # noqa: F811
    _, user = app_
    # Given a cursor a few seconds ahead of this server's clock (another's clock ran ahead)
    ahead = keys.sync_index_upper(clock.now_ms() + 10_000)
    # When it is used now, then later
    now = h.client.get("/v1/sync", headers=user("alice"), params={"cursor": ahead})
    later()
    cid = open_conversation(h, user("alice"))["id"]
    later(120)
    then = h.client.get("/v1/sync", headers=user("alice"), params={"cursor": ahead})
    # Then it first waits (handed back), then brings what changed after it
    assert now.status_code == 200 and now.json()["next_cursor"] == ahead
    assert [c["id"] for c in then.json()["conversations"]] == [cid]


@pytest.fixture(scope="module")
def spec():
    return build_http_app(FUNCTIONS).openapi()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/conversations/{conversation_id}/messages",
        "/admin/api/conversations/{conversation_id}/messages",
    ],
)
def test_openapi_documents_the_send_replay_as_a_200_with_the_message(spec, path):
    responses = spec["paths"][path]["post"]["responses"]
    for status in ("200", "201"):
        schema = responses[status]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/MessagePublic"}, (status, schema)


def test_openapi_gives_the_end_user_a_conversation_without_internal_fields(spec):
    schemas = spec["components"]["schemas"]
    ok = spec["paths"]["/v1/conversations/{conversation_id}"]["get"]["responses"]["200"]
    name = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert name == "EndUserConversationPublic"
    assert not INTERNAL & schemas[name]["properties"].keys()
    assert {"labels", "priority", "assignee_id"} <= schemas["ConversationPublic"][
        "properties"
    ].keys()


def test_usage_counts_a_note_in_messages_and_apart_as_readme_says(h, app_, usage_queue):  # noqa: F811
    owner, user = app_
    cid = open_conversation(h, user("alice"))["id"]
    replies = f"/admin/api/conversations/{cid}/messages"
    h.client.post(replies, headers=owner, json={"content": "Hi"})
    h.client.post(replies, headers=owner, json={"content": "watch this one", "private": True})
    run_consumer(h, usage_queue)
    # Then messages counts all three, one of them a note, one a public agent reply
    counted = usage(h, owner)["messages"]
    assert counted["total"] == 3 and counted["private_notes"] == 1
    assert counted["agent_replies"] == 1 and counted["by_sender"]["user"] == 1
