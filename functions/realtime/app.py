"""The realtime WebSocket API's routes (issue 9 "Realtime"): `$connect`, `$disconnect` and the
client actions, as API Gateway delivers them to a Lambda proxy integration
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-integration-requests.html).

`$connect` answers 200 (the socket opens) or 401 (the handshake is refused); every other route
answers 200 and speaks to the client through `@connections` (engage/realtime/push.py).
"""

from typing import Any, NotRequired, TypedDict

from engage.core.errors import EngageError
from engage.core.handlers import worker_handler
from engage.realtime import service


class RouteResponse(TypedDict):
    """What a WebSocket route answers API Gateway: the status (for `$connect`, whether the
    handshake succeeds) and, on a refusal, a short reason."""

    statusCode: int
    body: NotRequired[str]


def _handle(event: dict[str, Any], context: Any) -> RouteResponse:
    request = event.get("requestContext") or {}
    route = str(request.get("routeKey") or "")
    connection_id = str(request.get("connectionId") or "")
    if not connection_id:
        return {"statusCode": 400, "body": "no connection id"}
    if route == "$connect":
        query = {str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()}
        try:
            service.connect(connection_id, query)
        except EngageError as exc:
            return {"statusCode": exc.status, "body": exc.message}
        return {"statusCode": 200}
    if route == "$disconnect":
        service.disconnect(connection_id)
        return {"statusCode": 200}
    service.act(connection_id, event.get("body"))
    return {"statusCode": 200}


handler = worker_handler(_handle)
