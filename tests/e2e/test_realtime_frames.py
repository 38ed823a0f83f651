"""Hostile socket frames against the local runtime (issue 9 "Realtime"): a frame that names no
route (binary, nested too deep to read, not an object, an `action` that is not a string) is
answered with an `error` frame `validation_error`, as API Gateway routes it to `$default` and
the Lambda answers an unknown action, and the socket stays open (local/realtime.py)."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from tests.e2e.test_local_runtime import User

pytestmark = pytest.mark.e2e

DEEP_DATA = '{"action": "ping", "data": ' + "[" * 3000 + "]" * 3000 + "}"


def _ws_url(base_url: str, token: str) -> str:
    return base_url.replace("http://", "ws://") + f"/v1/realtime?access_token={token}"


async def _answers(base_url: str, frame: str | bytes) -> list[dict]:
    """The answer to `frame`, then the answer to a ping on the same socket."""
    token = User(base_url).http.headers["Authorization"].split()[1]
    async with websockets.connect(_ws_url(base_url, token)) as ws:
        await ws.send(frame)
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        await ws.send(json.dumps({"action": "ping"}))
        second = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return [first, second]


@pytest.mark.parametrize(
    "frame",
    [b"\x00\x01binary", DEEP_DATA, "[1, 2]", '{"action": {"a": 1}}', "not json"],
    ids=["binary", "deep-data", "array", "object-action", "not-json"],
)
def test_a_frame_naming_no_route_is_answered_and_the_socket_stays_open(base_url, frame):
    error, pong = asyncio.run(_answers(base_url, frame))
    assert error["event"] == "error" and error["data"]["code"] == "validation_error"
    assert pong["event"] == "pong"
