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
