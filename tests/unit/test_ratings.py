"""Customer satisfaction ratings in chat and from the console (issue 11 "Analytics"): a
resolved chat session gets a `rating_request` message its end user sees, the end user rates
their own conversation once (another's is a 404), the console records a rating on the
customer's behalf, bad scores are a 400, and each rating becomes one `rating.recorded` event
with exactly its documented data."""

from __future__ import annotations

import pytest

from engage.ratings.ask import CHAT_QUESTION
from tests.unit.ratings_helpers import Bus, console_messages, conversation, resolve
from tests.unit.test_enduser_auth import new_key

EVENT_FIELDS = {
    "rating_id",
    "session_id",
    "contact_id",
    "channel",
    "agent_id",
    "score",
    "comment",
    "at",
}


@pytest.fixture
def shop(h):
    """A tenant (owner headers, owner id) with a publishable key and a chat end user."""
    owner = h.register()
    me = h.client.get("/auth/me", headers=owner).json()["data"]
    key = new_key(h, owner)

    def user(user_id: str) -> dict:
        return {"X-API-Key": key, "X-User-Id": user_id}

    return {"owner": owner, "owner_id": me["user"]["id"], "user": user}


@pytest.fixture
def bus(h):
    return Bus(h)


def open_chat(h, headers: dict, text: str = "My parcel is late") -> str:
    resp = h.client.post("/v1/conversations", headers=headers, json={"message": {"content": text}})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def rate(h, headers: dict, conversation_id: str, **body):
    return h.client.post(f"/v1/conversations/{conversation_id}/rating", headers=headers, json=body)


def test_a_resolved_chat_session_asks_its_end_user_who_rates_it(h, shop, bus):
    # Given a chat session, assigned to the owner, that the owner resolves
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    resolve(h, shop["owner"], cid, assignee_id=shop["owner_id"])
    # When the resolution reaches the rating-request consumer
    bus.run()
    # Then the end user sees a rating request in their conversation
    resp = h.client.get(f"/v1/conversations/{cid}/messages", headers=ada)
    last = resp.json()["data"][-1]
    assert (last["type"], last["sender"], last["content"]) == (
        "rating_request",
        "system",
        CHAT_QUESTION,
    )
    # and their answer is recorded against the session, its agent and its channel
    answered = rate(h, ada, cid, score=5, comment="  Quick and kind  ")
    assert answered.status_code == 201, answered.text
    body = answered.json()
    assert body["session_id"] == cid and body["rating_id"]
    assert (body["score"], body["comment"], body["channel"]) == (5, "Quick and kind", "chat")
    assert body["agent_id"] == shop["owner_id"] and body["created_at"].endswith("Z")
    # without reopening the session
    assert conversation(h, shop["owner"], cid)["status"] == "resolved"


def test_a_session_is_rated_once_and_counted_once(h, shop, bus):
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    resolve(h, shop["owner"], cid)
    bus.run()
    assert rate(h, ada, cid, score=4).status_code == 201
    # When the customer rates again, from the chat or through an agent
    again = rate(h, ada, cid, score=1)
    console = h.client.post(f"/sessions/{cid}/rating", headers=shop["owner"], json={"score": 2})
    bus.run()
    # Then both are refused and one rating reached the bus
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    assert console.status_code == 409
    assert [e["data"]["score"] for e in bus.recorded] == [4]


def test_a_resolution_event_delivered_twice_asks_once(h, shop, bus):
    from tests.conftest import FUNCTIONS

    cid = open_chat(h, shop["user"]("ada"))
    resolve(h, shop["owner"], cid)
    batches = bus.run()
    # When SQS delivers the same events again
    for batch in batches:
        assert not FUNCTIONS["RatingsAskFunction"].invoke(batch).get("batchItemFailures")
    # Then the session holds one rating request
    types = [m["type"] for m in console_messages(h, shop["owner"], cid)]
    assert types.count("rating_request") == 1


def test_a_rated_session_resolved_again_is_not_asked_again(h, shop, bus):
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    resolve(h, shop["owner"], cid)
    bus.run()
    assert rate(h, ada, cid, score=3).status_code == 201
    # When the customer writes again (reopening it) and it resolves once more
    h.client.post(f"/v1/conversations/{cid}/messages", headers=ada, json={"content": "One more"})
    resolve(h, shop["owner"], cid)
    bus.run()
    # Then it was asked only the first time
    types = [m["type"] for m in console_messages(h, shop["owner"], cid)]
    assert types.count("rating_request") == 1


def test_another_end_users_or_tenants_conversation_is_404(h, shop):
    cid = open_chat(h, shop["user"]("ada"))
    bob = rate(h, shop["user"]("bob"), cid, score=5)
    other_owner = h.register("owner@other.test", "Other")
    other = h.client.post(f"/sessions/{cid}/rating", headers=other_owner, json={"score": 5})
    missing = rate(h, shop["user"]("ada"), "01" * 13, score=5)
    assert bob.status_code == 404 and bob.json()["error"] == "not_found"
    assert other.status_code == 404
    assert missing.status_code == 404


@pytest.mark.parametrize("score", [0, 6, -1, "4", 4.5, True, None])
def test_a_score_outside_1_to_5_is_400(h, shop, score):
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    resp = rate(h, ada, cid, score=score)
    console = h.client.post(f"/sessions/{cid}/rating", headers=shop["owner"], json={"score": score})
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error"
    assert console.status_code == 400


def test_a_comment_too_long_or_an_unknown_field_is_400(h, shop):
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    assert rate(h, ada, cid, score=5, comment="x" * 1001).status_code == 400
    assert rate(h, ada, cid, score=5, stars=5).status_code == 400


def test_the_console_records_a_rating_given_on_a_call_and_the_event_has_exactly_its_data(
    h, shop, bus
):
    # Given a session the owner worked
    cid = open_chat(h, shop["user"]("ada"))
    resolve(h, shop["owner"], cid, assignee_id=shop["owner_id"])
    bus.run()
    # When an agent records the rating the customer gave on the phone
    resp = h.client.post(
        f"/sessions/{cid}/rating", headers=shop["owner"], json={"score": 2, "comment": "Slow"}
    )
    bus.run()
    # Then it answers the rating and one rating.recorded event carries exactly its data
    assert resp.status_code == 201, resp.text
    rating = resp.json()
    (event,) = bus.recorded
    assert event["type"] == "rating.recorded" and event["occurred_at"] == rating["created_at"]
    data = event["data"]
    assert set(data) == EVENT_FIELDS
    contact_id = conversation(h, shop["owner"], cid)["contact_id"]
    assert data == {
        "rating_id": rating["rating_id"],
        "session_id": cid,
        "contact_id": contact_id,
        "channel": "chat",
        "agent_id": shop["owner_id"],
        "score": 2,
        "comment": "Slow",
        "at": rating["created_at"],
    }
    assert isinstance(data["score"], int)


def test_an_unassigned_session_without_comment_has_null_agent_and_comment(h, shop, bus):
    ada = shop["user"]("ada")
    cid = open_chat(h, ada)
    assert rate(h, ada, cid, score=5).status_code == 201
    bus.run()
    (event,) = bus.recorded
    assert (event["data"]["agent_id"], event["data"]["comment"]) == (None, None)
