"""inbox group: the console's conversations, end users and dashboard numbers (issue 9
"Admin console API"; seed 001 `/admin/api/*`, `/admin/dashboard/stats`). Reads need a viewer,
working conversations (replies, notes, receipts, changes) an agent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from engage.conversations import inbox, stats
from engage.conversations.schemas import (
    SEND_RETRY_RESPONSES,
    AgentMessageCreate,
    Channel,
    ConversationListPublic,
    ConversationPublic,
    ConversationStatus,
    ConversationUpdate,
    MessageListPublic,
    MessagePublic,
    ReceiptBody,
    ReceiptPublic,
    ReceiptStatus,
)
from engage.conversations.stats import DashboardStatsPublic
from engage.core.auth import AgentPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.endusers import service as end_users
from engage.endusers.schemas import EndUserListPublic, EndUserPublic

router = APIRouter(tags=["inbox"])

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]
Id = Annotated[str | None, Query(max_length=64)]


@router.get("/admin/api/conversations")
def list_conversations(
    principal: ViewerPrincipal,
    status: ConversationStatus | None = None,
    assignee: Annotated[
        str | None, Query(max_length=64, description="`me`, `unassigned` or a member id")
    ] = None,
    channel: Channel | None = None,
    search: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Cursor = None,
    limit: Limit = 25,
) -> ConversationListPublic:
    """Newest activity first (resolved ones by resolution time). `search`: a substring of
    the contact's name, e-mail, phone or external id, or of the latest message."""
    return inbox.list_conversations(
        principal.tenant_id,
        principal.user_id,
        status=status,
        assignee=assignee,
        channel=channel,
        search=search,
        cursor=cursor,
        limit=limit,
    )


@router.get("/admin/api/conversations/{conversation_id}")
def get_conversation(conversation_id: str, principal: ViewerPrincipal) -> ConversationPublic:
    """One conversation of the tenant (404 for any other id)."""
    return inbox.get(principal.tenant_id, conversation_id)


@router.put("/admin/api/conversations/{conversation_id}")
def update_conversation(
    conversation_id: str, body: ConversationUpdate, principal: AgentPrincipal
) -> ConversationPublic:
    """Change status, `assignee_id` (an active agent+ of the team, or null), priority,
    `snoozed_until` (with status `snoozed`) or labels."""
    return inbox.update(principal.tenant_id, conversation_id, body)


@router.get("/admin/api/conversations/{conversation_id}/messages")
def list_messages(
    conversation_id: str,
    principal: ViewerPrincipal,
    before: Id = None,
    after: Id = None,
    limit: Limit = 50,
) -> MessageListPublic:
    """Messages oldest first, private notes included: the newest page, or the page
    `before` / `after` a message id."""
    return inbox.list_messages(principal.tenant_id, conversation_id, before, after, limit)


@router.post(
    "/admin/api/conversations/{conversation_id}/messages",
    status_code=201,
    responses=SEND_RETRY_RESPONSES,
)
def reply(
    conversation_id: str, body: AgentMessageCreate, principal: AgentPrincipal, response: Response
) -> MessagePublic:
    """An agent's reply, or with `private: true` an internal note the end user never sees.
    201; a retry with the same `client_message_id` answers the first message with 200."""
    message, created = inbox.reply(principal.tenant_id, principal.user_id, conversation_id, body)
    if not created:
        response.status_code = 200
    return message


@router.post("/admin/api/conversations/{conversation_id}/delivered")
def delivered(conversation_id: str, body: ReceiptBody, principal: AgentPrincipal) -> ReceiptPublic:
    """The end user's messages up to `message_id` reached the team."""
    return inbox.receipt(
        principal.tenant_id, conversation_id, ReceiptStatus.DELIVERED, body.message_id
    )


@router.post("/admin/api/conversations/{conversation_id}/read")
def read(conversation_id: str, body: ReceiptBody, principal: AgentPrincipal) -> ReceiptPublic:
    """The team read the end user's messages up to `message_id`."""
    return inbox.receipt(principal.tenant_id, conversation_id, ReceiptStatus.READ, body.message_id)


@router.get("/admin/api/users")
def list_users(
    principal: ViewerPrincipal, cursor: Cursor = None, limit: Limit = 25
) -> EndUserListPublic:
    """End users (contacts with an external id) by external id, with `metadata.device`."""
    return end_users.list_end_users(principal.tenant_id, cursor, limit)


@router.get("/admin/api/users/{user_id}")
def get_user(user_id: str, principal: ViewerPrincipal) -> EndUserPublic:
    """One end user by contact id, with `metadata.device`."""
    return end_users.get_end_user(principal.tenant_id, user_id)


@router.get("/admin/dashboard/stats")
def dashboard_stats(principal: ViewerPrincipal) -> DashboardStatsPublic:
    """Open, pending, unassigned, mine, resolved today, median first response (seconds)."""
    return stats.dashboard(principal.tenant_id, principal.user_id)


app = create_app("inbox", [router])
handler = http_handler(app)
