"""The port to API Gateway's `@connections` API (the WebSocket API's management endpoint,
REALTIME_ENDPOINT): send a frame to one socket or to many (one PostToConnection each, at most
PARALLEL_POSTS at a time, so a tenant with many open consoles is not served one socket after
the other), close one.

https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from engage.core.aws import client
from engage.core.settings import get_settings


def _api() -> Any:
    return client("apigatewaymanagementapi", get_settings().realtime_endpoint or None)


def send(connection_id: str, frame: dict[str, Any]) -> bool:
    """PostToConnection of `frame` as JSON text; False when the socket is gone (410)."""
    api = _api()
    try:
        api.post_to_connection(
            ConnectionId=connection_id,
            Data=json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode(),
        )
    except api.exceptions.GoneException:
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("GoneException", "410"):
            return False
        raise
    return True


PARALLEL_POSTS = 16
"""PostToConnection calls in flight at once (the client's pool holds 32 connections)."""


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=PARALLEL_POSTS, thread_name_prefix="push")


def send_all(connection_ids: Sequence[str], frame: dict[str, Any]) -> list[str]:
    """`send` of the same frame to every socket; returns the ids found gone (410)."""
    if len(connection_ids) <= 1:
        return [c for c in connection_ids if not send(c, frame)]
    sent = _pool().map(lambda c: send(c, frame), connection_ids)
    return [c for c, ok in zip(connection_ids, sent, strict=True) if not ok]


def close(connection_id: str) -> None:
    """DeleteConnection (idempotent: a socket already gone is fine)."""
    api = _api()
    try:
        api.delete_connection(ConnectionId=connection_id)
    except api.exceptions.GoneException:
        return
