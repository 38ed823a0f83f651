"""Conversation and message wire schemas (issue 9 "Routes"; seed 001; snake_case, bare
resources, lists as `{"data": [...], "next_cursor": ...}`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

MAX_CONTENT = 10_000
MAX_LABELS = 20
MAX_LABEL = 50
CLIENT_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,128}$"
ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class ConversationStatus(StrEnum):
    """Where a conversation stands; a new one is `open`, an end user's message reopens it."""

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Priority(StrEnum):
    """A conversation's priority (console)."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Channel(StrEnum):
    """The channel a conversation is on now (DESIGN.md section 2; seed 003's channel types);
    `/v1/*` makes `chat`, a video session (engage/video) `video`."""

    CHAT = "chat"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    VOICE = "voice"
    VIDEO = "video"


class Sender(StrEnum):
    """Who wrote a message: the end user, a team member, a bot or the system."""

    USER = "user"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class MessageType(StrEnum):
    """A message's type. Clients write `text` only (`ClientMessageType`); the system writes
    `event` (a record in the history, such as a transfer between channels: issue 11) and
    `rating_request` (the 1-5 satisfaction question asked when a session resolves)."""

    TEXT = "text"
    EVENT = "event"
    RATING_REQUEST = "rating_request"


class ClientMessageType(StrEnum):
    """The message types a client (end user or agent) may write."""

    TEXT = "text"


class DeliveryStatus(StrEnum):
    """Where the provider has a reply sent over SMS or WhatsApp (issue 10): `sending` (handed
    over, no answer yet), `sent`, `delivered`, `read` (WhatsApp only) or `failed`."""

    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class ReceiptStatus(StrEnum):
    """A receipt: delivered to, or read by, the other side."""

    DELIVERED = "delivered"
    READ = "read"


class Side(StrEnum):
    """Which side of a conversation acts: the end user or the team."""

    USER = "user"
    AGENT = "agent"


# -- requests --------------------------------------------------------------------------------
class _Body(CheckedText, RequestModel):
    pass


class MessageCreate(_Body):
    """`POST /v1/conversations/{id}/messages`. A retry with the same `client_message_id`
    answers the first message and never makes a second one."""

    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    type: ClientMessageType = ClientMessageType.TEXT
    client_message_id: str | None = Field(
        default=None,
        pattern=CLIENT_ID_PATTERN,
        description="the client's own id of this send (1-128 of A-Z a-z 0-9 . _ : -)",
    )

    @field_validator("content")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class AgentMessageCreate(MessageCreate):
    """`POST /admin/api/conversations/{id}/messages`: a reply, or with `private: true` an
    internal note that the end user never sees (by any route, sync or socket)."""

    private: bool = False


class ConversationCreate(_Body):
    """`POST /v1/conversations`: optionally with the first message."""

    channel: Channel = Channel.CHAT
    message: MessageCreate | None = None


class ReceiptBody(_Body):
    """`POST .../delivered` and `.../read`: everything up to this message (included)."""

    message_id: str = Field(pattern=ID_PATTERN)


class ConversationUpdate(_Body):
    """`PUT /admin/api/conversations/{id}`: any subset. `assignee_id` null unassigns;
    `snoozed_until` (a future time) goes with status `snoozed` only."""

    status: ConversationStatus | None = None
    assignee_id: str | None = Field(default=None, max_length=64)
    priority: Priority | None = None
    snoozed_until: dt.datetime | None = None
    labels: list[str] | None = Field(default=None, max_length=MAX_LABELS)

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        clean = [v.strip() for v in value]
        if any(not v or len(v) > MAX_LABEL or not v.isprintable() for v in clean):
            raise ValueError(f"each label is 1 to {MAX_LABEL} printable characters")
        return list(dict.fromkeys(clean))

    @field_validator("snoozed_until")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a time zone (for example 2026-01-01T09:00:00Z)")
        return value


# -- responses -------------------------------------------------------------------------------
class MessagePublic(PublicModel):
    """A message. `delivered_at` / `read_at`: when the other side's client reported it
    delivered / read (null until then)."""

    id: str
    conversation_id: str
    sender: Sender
    sender_id: str | None = Field(description="end user: their external id; agent: member id")
    content: str
    type: MessageType
    private: bool
    client_message_id: str | None
    created_at: str
    delivered_at: str | None
    read_at: str | None
    channel_status: DeliveryStatus | None = Field(
        default=None,
        description="a reply sent over SMS or WhatsApp: where the provider has it (null on chat)",
    )
    channel_error: str | None = Field(
        default=None, description="the provider's reason when `channel_status` is failed"
    )


SEND_RETRY_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": MessagePublic,
        "description": "A retry with the same `client_message_id`: the first message again "
        "(no second one is made)",
    }
}
"""OpenAPI `responses` of the send routes (`/v1` and the console's): a new message is a 201,
the idempotent replay of a send a 200 with the same body."""


class ConversationPublic(PublicModel):
    """A conversation as the console sees it. `unread_count`: the end user's messages no
    member has read."""

    id: str
    contact_id: str
    channel: Channel
    status: ConversationStatus
    priority: Priority
    assignee_id: str | None
    labels: list[str]
    created_at: str
    last_activity_at: str
    unread_count: int
    snoozed_until: str | None


class EndUserConversationPublic(PublicModel):
    """A conversation as its end user sees it, over `/v1` and on their socket
    (`conversation:updated`): none of the team's internal fields (labels, priority, the
    snooze time, which member is assigned). `assigned`: a team member has taken it.
    `unread_count`: the team's messages the end user has not read."""

    id: str
    contact_id: str
    channel: Channel
    status: ConversationStatus
    assigned: bool
    created_at: str
    last_activity_at: str
    unread_count: int


class ConversationListPublic(PublicModel):
    """A page of conversations; pass `next_cursor` as `cursor` for the next (null: no more)."""

    data: list[ConversationPublic]
    next_cursor: str | None


class EndUserConversationListPublic(PublicModel):
    """A page of the end user's conversations; pass `next_cursor` as `cursor` for the next
    (null: no more)."""

    data: list[EndUserConversationPublic]
    next_cursor: str | None


class MessageListPublic(PublicModel):
    """A page of messages, oldest first. `next_cursor`: pass it as `before` (or as `after`
    when this page was asked with `after`) for the next page; null when there is none."""

    data: list[MessagePublic]
    next_cursor: str | None
    has_more: bool


class ReceiptPublic(PublicModel):
    """The answer of a receipt: how many messages it newly marked, the caller's unread count."""

    conversation_id: str
    message_id: str
    status: ReceiptStatus
    marked: int
    unread_count: int


class SyncPublic(PublicModel):
    """`GET /v1/sync`: the current state of every conversation and message of the end user
    that changed after `cursor` (receipts are the messages' `delivered_at` / `read_at`,
    conversation changes its fields); pass `next_cursor` next time. `has_more`: call again
    at once."""

    conversations: list[EndUserConversationPublic]
    messages: list[MessagePublic]
    next_cursor: str
    has_more: bool
