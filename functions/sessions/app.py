"""sessions group: the omnichannel hub's sessions, transfers and messages (issue 11; seed 003
sections 2 and 9; bare JSON, snake_case). A session is a conversation (engage/hub,
engage/conversations). Reads need a viewer, writes an agent. `POST /sessions/create` and
`POST /sessions/{sessionId}/transfer` (which may place a call) accept an `Idempotency-Key`.
Routes that call boto3 are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from engage.conversations.schemas import ID_PATTERN, Channel
from engage.core.auth import AgentPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.idempotency import run_once
from engage.hub import messages, sessions, transfer
from engage.hub.schemas import (
    HubMessageListPublic,
    HubMessagePublic,
    HubMessageSend,
    SessionCreate,
    SessionCreatedPublic,
    SessionListPublic,
    SessionPublic,
    SessionTransfer,
    SessionUpdate,
    TransferPublic,
)

router = APIRouter(tags=["sessions"])

SessionPath = Annotated[str, Path(alias="sessionId", max_length=64, description="a session id")]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200, description="a `next_cursor`")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.get("/sessions/active")
def active_sessions(
    principal: ViewerPrincipal,
    channel: Channel | None = None,
    agent_id: Annotated[
        str | None, Query(max_length=64, description="`me`, `unassigned` or a member id")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = sessions.PAGE_DEFAULT,
) -> SessionListPublic:
    """Open and pending sessions on every channel, newest activity first, with the
    customer's name, phone and e-mail."""
    return sessions.list_active(
        principal.tenant_id,
        principal.user_id,
        channel=channel,
        agent_id=agent_id,
        cursor=cursor,
        limit=limit,
    )


@router.post("/sessions/create", status_code=201)
def create_session(
    body: SessionCreate, principal: AgentPrincipal, idempotency_key: IdempotencyKey = None
) -> SessionCreatedPublic:
    """Open a session with a customer (contact id) on a channel they can be reached on;
    `initial_message` is kept as an internal note. 404 for another tenant's customer, 409
    when the customer lacks the channel's phone or e-mail."""
    tenant_id = principal.tenant_id
    created = run_once(
        idempotency_key,
        f"{tenant_id}:sessions.create",
        body.model_dump(mode="json"),
        lambda: sessions.create(tenant_id, principal.user_id, body).model_dump(mode="json"),
    )
    return SessionCreatedPublic.model_validate(created)


@router.put("/sessions/{sessionId}")
def update_session(
    session_id: SessionPath, body: SessionUpdate, principal: AgentPrincipal
) -> SessionPublic:
    """Change status (active, waiting, pending, snoozed, resolved), agent (`agent_id`, an
    active agent+ member; null unassigns) or priority."""
    return sessions.update(principal.tenant_id, session_id, body)


@router.post("/sessions/{sessionId}/transfer")
def transfer_session(
    session_id: SessionPath,
    body: SessionTransfer,
    principal: AgentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> TransferPublic:
    """Move the session to another channel, keeping one history (a `type: event` message
    records it). To voice a call to the customer is placed through the call gating; to
    WhatsApp the 24-hour rule applies from then on. 409 when the session is not on
    `from_channel`, is resolved, or the customer cannot be reached on `to_channel`."""
    tenant_id = principal.tenant_id
    done = run_once(
        idempotency_key,
        f"{tenant_id}:sessions.transfer:{session_id}",
        body.model_dump(mode="json"),
        lambda: transfer.transfer(tenant_id, session_id, body).model_dump(mode="json"),
    )
    return TransferPublic.model_validate(done)


@router.get("/messages/{sessionId}")
def list_messages(
    session_id: SessionPath,
    principal: ViewerPrincipal,
    cursor: Annotated[
        str | None, Query(max_length=26, pattern=ID_PATTERN, description="a `next_cursor`")
    ] = None,
    limit: Limit = messages.PAGE_DEFAULT,
) -> HubMessageListPublic:
    """The session's messages oldest first, on every channel it has been on, with system
    events and internal notes (`private`)."""
    return messages.list_messages(principal.tenant_id, session_id, cursor, limit)


@router.post(
    "/messages/send",
    status_code=201,
    responses={
        200: {
            "model": HubMessagePublic,
            "description": "A retry with the same `client_message_id`: the first message again",
        }
    },
)
def send_message(
    body: HubMessageSend, principal: AgentPrincipal, response: Response
) -> HubMessagePublic:
    """Reply in a session on its current channel (SMS, WhatsApp and e-mail go out through
    their provider; 409 when the channel may not carry it: an opt-out, outside the WhatsApp
    window without a template). 201; a retry with the same `client_message_id` is a 200."""
    message, created = messages.send(principal.tenant_id, principal.user_id, body)
    if not created:
        response.status_code = 200
    return message


app = create_app("sessions", [router])
handler = http_handler(app)
