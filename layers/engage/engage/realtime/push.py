"""The port to API Gateway's `@connections` API (the WebSocket API's management endpoint,
REALTIME_ENDPOINT): send a frame to one socket, close one.

https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
"""

from __future__ import annotations

import json
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


def close(connection_id: str) -> None:
    """DeleteConnection (idempotent: a socket already gone is fine)."""
    api = _api()
    try:
        api.delete_connection(ConnectionId=connection_id)
    except api.exceptions.GoneException:
        return
