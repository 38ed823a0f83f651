"""Realtime over a real WebSocket against the local runtime (issue 9 "Realtime"): the same
protocol as the deployed API Gateway WebSocket API, at ws://127.0.0.1:<port>/v1/realtime."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.e2e.test_local_runtime import User

pytestmark = pytest.mark.e2e


def _ws_url(base_url: str, token: str) -> str:
    return base_url.replace("http://", "ws://") + f"/v1/realtime?access_token={token}"


async def _frames_until(ws, done, timeout: float = 60) -> list[dict]:
    frames: list[dict] = []
    async with asyncio.timeout(timeout):
        while not done(frames):
            frames.append(json.loads(await ws.recv()))
    return frames


def test_a_console_socket_answers_ping_and_shows_campaign_progress_live(base_url):
    owner, other = User(base_url), User(base_url)
    token = owner.http.headers["Authorization"].split()[1]
    other_token = other.http.headers["Authorization"].split()[1]

    async def walk() -> tuple[list[dict], list[dict]]:
        async with (
            websockets.connect(_ws_url(base_url, token)) as ws,
            websockets.connect(_ws_url(base_url, other_token)) as bystander,
        ):
            await ws.send(json.dumps({"action": "ping"}))
            pong = await _frames_until(ws, lambda f: bool(f))
            assert pong[0]["event"] == "pong"
            # When the owner sends a campaign to two opted-in contacts
            for i in range(2):
                created = owner.http.post(
                    "/contacts",
                    json={"phone": f"+1201555{400 + i:04d}", "smsConsent": "opted_in"},
                )
                assert created.status_code == 201, created.text
            campaign = owner.http.post(
                "/campaigns", json={"name": "Live", "message": "Hi", "audience": "all"}
            ).json()["data"]
            assert owner.http.post(f"/campaigns/{campaign['id']}/enqueue").status_code == 200

            def sent(frames: list[dict]) -> bool:
                return any(
                    f["event"] == "campaign:progress" and f["data"].get("status") == "sent"
                    for f in frames
                )

            frames = await _frames_until(ws, sent)
            await bystander.send(json.dumps({"action": "ping"}))
            seen = await _frames_until(bystander, lambda f: bool(f))
            return frames, seen

    frames, seen = asyncio.run(walk())
    # Then the owner's socket saw the campaign go out, live, and the other tenant's saw none
    progress = [f["data"] for f in frames if f["event"] == "campaign:progress"]
    assert progress[-1]["status"] == "sent" and progress[-1]["sent"] == 2
    assert [f["event"] for f in seen] == ["pong"]


def test_a_socket_with_a_forged_token_is_refused(base_url):
    async def attempt() -> None:
        async with websockets.connect(_ws_url(base_url, "forged.token.here")) as ws:
            await ws.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(attempt())
    assert refused.value.response.status_code == 401


# -- the chat platform: end users and team members live on sockets ------------------------------


class Chat:
    """A tenant with a publishable key, an end user's headers and their conversations."""

    def __init__(self, base_url: str) -> None:
        self.owner = User(base_url)
        self.token = self.owner.http.headers["Authorization"].split()[1]
        created = self.owner.http.post(
            "/admin/api-keys", json={"name": "app", "kind": "publishable"}
        )
        assert created.status_code == 201, created.text
        self.key = created.json()["key"]
        self.http = self.owner.http
        self.base_url = base_url

    def end_user(self, user_id: str) -> dict[str, str]:
        return {"X-API-Key": self.key, "X-User-Id": user_id}

    def conversation(self, user_id: str) -> str:
        headers = self.end_user(user_id)
        identified = self.http.post(
            "/v1/users/identify",
            headers=headers,
            json={"name": user_id, "metadata": {"device": {"platform": "ios"}}},
        )
        assert identified.status_code in (200, 201), identified.text
        created = self.http.post("/v1/conversations", headers=headers, json={})
        assert created.status_code in (200, 201), created.text
        return str(created.json()["id"])

    def agent_url(self) -> str:
        return _ws_url(self.base_url, self.token)

    def end_user_url(self, user_id: str, key: str | None = None) -> str:
        base = self.base_url.replace("http://", "ws://")
        return f"{base}/v1/realtime?api_key={key or self.key}&user_id={user_id}"

    def post(self, path: str, body: dict, headers: dict[str, str] | None = None) -> dict:
        resp = self.http.post(path, json=body, headers=headers)
        assert resp.status_code in (200, 201), resp.text
        return dict(resp.json())


ANSWERS = ("conversation:joined", "error")


async def _joined(ws, conversation_id: str, payload=None) -> list[dict]:
    """Join; returns the answer frame (`conversation:joined` or `error`) last, after any
    event frames that arrived first."""
    data = payload if payload is not None else {"conversation_id": conversation_id}
    await ws.send(json.dumps({"action": "conversation:join", "data": data}))
    return await _frames_until(ws, lambda f: bool(f) and f[-1]["event"] in ANSWERS)


def _has(event: str, **fields):
    def done(frames: list[dict]) -> bool:
        return any(
            f["event"] == event and all(f["data"].get(k) == v for k, v in fields.items())
            for f in frames
        )

    return done


def test_an_end_user_and_an_agent_chat_live_and_a_note_never_reaches_the_end_user(base_url):
    chat = Chat(base_url)
    conversation = chat.conversation("alice")
    path = f"/admin/api/conversations/{conversation}"

    async def walk() -> tuple[list[dict], list[dict]]:
        async with (
            websockets.connect(chat.agent_url()) as agent,
            websockets.connect(chat.end_user_url("alice")) as alice,
        ):
            # Given both joined the conversation (the console sends the object, the SDK the id)
            assert (await _joined(agent, conversation))[-1]["event"] == "conversation:joined"
            assert (await _joined(alice, conversation, conversation))[-1]["event"] == (
                "conversation:joined"
            )
            # When alice types, the agent sees it
            await alice.send(json.dumps({"action": "typing:start", "data": conversation}))
            typing = await _frames_until(agent, _has("typing", typing=True))
            # When alice writes, the agent gets it live
            sent = chat.post(
                f"/v1/conversations/{conversation}/messages",
                {"content": "Where is my order?"},
                chat.end_user("alice"),
            )
            seen = await _frames_until(agent, _has("message:new", id=sent["id"]))
            # When the agent adds an internal note, then replies
            note = chat.post(
                f"{path}/messages", {"content": "check the warehouse", "private": True}
            )
            await _frames_until(agent, _has("message:new", id=note["id"]))
            reply = chat.post(f"{path}/messages", {"content": "On its way"})
            mine = await _frames_until(alice, _has("message:new", id=reply["id"]))
            # And alice reads it: the receipt reaches the agent
            chat.post(
                f"/v1/conversations/{conversation}/read",
                {"message_id": reply["id"]},
                chat.end_user("alice"),
            )
            await _frames_until(agent, _has("message:status", message_id=reply["id"]))
            # A later change, delivered after the note's fan-out, closes alice's view
            resolved = chat.http.put(path, json={"status": "resolved"})
            assert resolved.status_code == 200, resolved.text
            mine += await _frames_until(alice, _has("conversation:updated", status="resolved"))
            return typing + seen, mine

    agent_frames, alice_frames = asyncio.run(walk())
    typing = next(f["data"] for f in agent_frames if f["event"] == "typing")
    assert typing["sender"] == "user" and typing["conversation_id"] == conversation
    messages = [f["data"] for f in alice_frames if f["event"] == "message:new"]
    assert messages and not any(m["private"] for m in messages)
    assert "check the warehouse" not in json.dumps(alice_frames)


def test_an_end_user_cannot_join_another_end_users_conversation(base_url):
    chat = Chat(base_url)
    alices = chat.conversation("alice")
    chat.conversation("bob")

    async def walk() -> list[dict]:
        async with websockets.connect(chat.end_user_url("bob")) as bob:
            return await _joined(bob, alices)

    frames = asyncio.run(walk())
    assert frames[-1]["event"] == "error" and frames[-1]["data"]["code"] == "not_found"


def test_an_end_user_socket_with_an_unknown_key_is_refused(base_url):
    chat = Chat(base_url)

    async def attempt() -> None:
        async with websockets.connect(chat.end_user_url("alice", key="pk_unknown")) as ws:
            await ws.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(attempt())
    assert refused.value.response.status_code == 401
