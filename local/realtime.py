"""The realtime WebSocket API on one machine (issue 9 "Realtime"; DESIGN.md section 6).

`ws://127.0.0.1:<port>/v1/realtime` speaks the protocol of the deployed API Gateway WebSocket
API: the handshake becomes a `$connect` event for RealtimeFunction (a refusal answers the handshake
with `$connect`'s status, 401, and the socket never opens, as with API Gateway), each text
frame a MESSAGE event routed by its `action` (the API's route selection expression
`$request.body.action`; unknown actions go to `$default`), and the close a `$disconnect`
event. A frame whose body does not name a route (not JSON, nested too deep to read, not an
object, a binary frame) goes to `$default` too, as API Gateway routes a body its selection
expression cannot evaluate when `$default` exists; the Lambda answers it with an `error` frame
`validation_error` and the socket stays open. The functions answer through `@connections`:
REALTIME_ENDPOINT points at `/_local/realtime`, whose
`POST|GET|DELETE /_local/realtime/@connections/{id}` this module serves as API Gateway's
management API does (410 GoneException for a socket that is gone). The event shapes follow
https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html

`ws://127.0.0.1:<port>/_local/realtime/echo` answers every text frame with itself, on the same
server and loop: bench/realtime.py's baseline (a bare WebSocket round trip, no handler).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from local.cfn import ACCOUNT
from local.functions import LocalFunction

ROUTES = {"conversation:join", "conversation:leave", "typing:start", "typing:stop", "ping"}


class Sockets:
    """The open sockets of the runtime by connection id, with the loop that serves them."""

    def __init__(self) -> None:
        self.open: dict[str, WebSocket] = {}
        self.connected_at: dict[str, float] = {}
        self.loop: asyncio.AbstractEventLoop | None = None

    def send(self, connection_id: str, data: bytes) -> bool:
        """Send a text frame from any thread; False when the socket is gone."""
        ws, loop = self.open.get(connection_id), self.loop
        if ws is None or loop is None:
            return False
        future = asyncio.run_coroutine_threadsafe(ws.send_text(data.decode()), loop)
        try:
            future.result(timeout=5)
        except Exception:
            return False
        return True

    def close(self, connection_id: str) -> bool:
        ws, loop = self.open.pop(connection_id, None), self.loop
        if ws is None or loop is None:
            return False
        asyncio.run_coroutine_threadsafe(ws.close(code=1000), loop)
        return True


def _event(
    route: str, kind: str, connection_id: str, port: int, body: str | None = None
) -> dict[str, Any]:
    return {
        "requestContext": {
            "routeKey": route,
            "eventType": kind,
            "connectionId": connection_id,
            "messageDirection": "IN",
            "domainName": f"127.0.0.1:{port}",
            "stage": "local",
            "apiId": "local",
            "accountId": ACCOUNT,
            "requestId": secrets.token_hex(8),
            "connectedAt": int(time.time() * 1000),
            "requestTimeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
        **({"body": body} if body is not None else {}),
    }


def _route_of(text: str) -> str:
    """The route key of a text frame: its `action` when that names a route, else `$default`
    (the selection expression `$request.body.action` finds no route)."""
    try:
        action = json.loads(text).get("action")
    except (ValueError, AttributeError, RecursionError):
        return "$default"
    return action if isinstance(action, str) and action in ROUTES else "$default"


def realtime_router(function: LocalFunction, sockets: Sockets, port: int) -> APIRouter:
    """The socket endpoint and the `@connections` API, served by the local runtime."""
    router = APIRouter(include_in_schema=False)

    @router.websocket("/v1/realtime")
    async def socket(ws: WebSocket) -> None:
        sockets.loop = asyncio.get_running_loop()
        connection_id = secrets.token_urlsafe(12)
        connect = _event("$connect", "CONNECT", connection_id, port)
        connect["queryStringParameters"] = dict(ws.query_params) or None
        connect["headers"] = {k: v for k, v in ws.headers.items() if k.lower() != "cookie"}
        result = await run_in_threadpool(function.invoke, connect) or {}
        status = int(result.get("statusCode", 500))
        if status != 200:  # API Gateway answers the handshake with $connect's status
            body = str(result.get("body") or "")
            await ws.send_denial_response(Response(body, status_code=status))
            return
        await ws.accept()
        sockets.open[connection_id] = ws
        sockets.connected_at[connection_id] = time.time()
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:  # a binary frame: API Gateway passes it on base64-encoded
                    data = base64.b64encode(message.get("bytes") or b"").decode()
                    event = _event("$default", "MESSAGE", connection_id, port, data)
                    event["isBase64Encoded"] = True
                else:
                    event = _event(_route_of(text), "MESSAGE", connection_id, port, text)
                await run_in_threadpool(function.invoke, event)
        except WebSocketDisconnect:
            pass
        finally:
            sockets.open.pop(connection_id, None)
            sockets.connected_at.pop(connection_id, None)
            gone = _event("$disconnect", "DISCONNECT", connection_id, port)
            await run_in_threadpool(function.invoke, gone)

    @router.websocket("/_local/realtime/echo")
    async def echo(ws: WebSocket) -> None:
        await ws.accept()
        try:
            while True:
                await ws.send_text(await ws.receive_text())
        except WebSocketDisconnect:
            pass

    @router.post("/_local/realtime/@connections/{connection_id}")
    async def post_to_connection(connection_id: str, request: Request) -> Response:
        data = await request.body()
        if await run_in_threadpool(sockets.send, connection_id, data):
            return Response(status_code=200)
        return _gone()

    @router.get("/_local/realtime/@connections/{connection_id}")
    def get_connection(connection_id: str) -> Response:
        if connection_id not in sockets.open:
            return _gone()
        at = sockets.connected_at.get(connection_id, time.time())
        body = {"ConnectedAt": at, "LastActiveAt": at, "Identity": {"SourceIp": "127.0.0.1"}}
        return Response(json.dumps(body), media_type="application/json")

    @router.delete("/_local/realtime/@connections/{connection_id}")
    def delete_connection(connection_id: str) -> Response:
        return Response(status_code=204) if sockets.close(connection_id) else _gone()

    return router


def _gone() -> Response:
    body = {"message": "Gone"}
    headers = {"x-amzn-ErrorType": "GoneException"}
    return Response(
        json.dumps(body), status_code=410, media_type="application/json", headers=headers
    )
