"""chat group: the end-user client API (issue 9 "End-user client API"; seed 001 `/v1/*`).

Every route authenticates the end user with `X-API-Key` + `X-User-Id` (+ `X-User-Hash` when
the tenant has identity verification on): engage/endusers/deps.py. An end user reaches only
their own conversations (another's id is a 404) and never a private note.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engage.conversations import service, sync
from engage.conversations.schemas import (
    SEND_RETRY_RESPONSES,
    ConversationCreate,
    EndUserConversationListPublic,
    EndUserConversationPublic,
    MessageCreate,
    MessageListPublic,
    MessagePublic,
    ReceiptBody,
    ReceiptPublic,
    ReceiptStatus,
    SyncPublic,
)
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.endusers import service as end_users
from engage.endusers.deps import CurrentEndUser
from engage.endusers.schemas import EndUserPublic, Identify

router = APIRouter(prefix="/v1", tags=["chat"])

Limit = Annotated[int, Query(ge=1, le=100)]
Id = Annotated[str | None, Query(max_length=64)]


@router.post("/users/identify")
def identify(body: Identify, user: CurrentEndUser) -> EndUserPublic:
    """Create or update the calling end user (a contact): name, e-mail, phone (any format,
    stored as E.164), `metadata.device`, custom `attributes`. 409 when the phone belongs to
    another contact."""
    return end_users.identify(user.tenant_id, user.user_id, body, trusted=user.trusted)


@router.post("/conversations", status_code=201)
def start_conversation(body: ConversationCreate, user: CurrentEndUser) -> EndUserConversationPublic:
    """Open a conversation (with its first `message` if given)."""
    return service.start_conversation(user.tenant_id, user.user_id, body)


@router.get("/conversations")
def list_conversations(
    user: CurrentEndUser,
    cursor: Id = None,
    limit: Limit = 20,
) -> EndUserConversationListPublic:
    """The caller's conversations, newest first, as the end user sees them (no labels,
    priority or assignee id; their own unread count)."""
    return service.list_own(user.tenant_id, user.user_id, cursor, limit)


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: str, user: CurrentEndUser) -> EndUserConversationPublic:
    """One of the caller's conversations (404 for any other)."""
    return service.get_own(user.tenant_id, user.user_id, conversation_id)


@router.post(
    "/conversations/{conversation_id}/messages", status_code=201, responses=SEND_RETRY_RESPONSES
)
def send_message(
    conversation_id: str, body: MessageCreate, user: CurrentEndUser, response: Response
) -> MessagePublic:
    """Write a message: 201; a retry with the same `client_message_id` answers the first
    message with 200 and makes no second one."""
    message, created = service.send_own(user.tenant_id, user.user_id, conversation_id, body)
    if not created:
        response.status_code = 200
    return message


@router.get("/conversations/{conversation_id}/messages")
def list_messages(
    conversation_id: str,
    user: CurrentEndUser,
    before: Id = None,
    after: Id = None,
    limit: Limit = 50,
) -> MessageListPublic:
    """Messages oldest first: the newest page, or the page `before` / `after` a message id."""
    return service.list_own_messages(
        user.tenant_id, user.user_id, conversation_id, before, after, limit
    )


@router.post("/conversations/{conversation_id}/delivered")
def delivered(conversation_id: str, body: ReceiptBody, user: CurrentEndUser) -> ReceiptPublic:
    """The team's messages up to `message_id` reached the caller's device."""
    return service.receipt_own(
        user.tenant_id, user.user_id, conversation_id, ReceiptStatus.DELIVERED, body.message_id
    )


@router.post("/conversations/{conversation_id}/read")
def read(conversation_id: str, body: ReceiptBody, user: CurrentEndUser) -> ReceiptPublic:
    """The caller read the team's messages up to `message_id`."""
    return service.receipt_own(
        user.tenant_id, user.user_id, conversation_id, ReceiptStatus.READ, body.message_id
    )


@router.get("/sync")
def sync_changes(
    user: CurrentEndUser,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 100,
) -> SyncPublic:
    """Everything of the caller's that changed after `cursor` (none: from the start), as
    current state, oldest change first; see README "Chat platform: conversations". A cursor
    later than the server's time (beyond a minute of clock skew) is a 400."""
    return sync.sync(user.tenant_id, user.user_id, cursor, limit)


app = create_app("chat", [router])
handler = http_handler(app)
