"""Wire schemas of the hub's sessions and messages (issue 11; seed 003 sections 2 and 9: bare
JSON, snake_case). A session is a conversation (engage/conversations): these are its seed 003
shapes, not a second entity.

Session status (`SessionStatus`) from the conversation's status and assignee:

| conversation                  | session    |
|-------------------------------|------------|
| `open` with an assignee       | `active`   |
| `open` without one            | `waiting`  |
| `pending`                     | `pending`  |
| `snoozed`                     | `snoozed`  |
| `resolved`                    | `resolved` |

and back (`PUT /sessions/{id}`): `active` is `open` with an agent (the one given, or the one
assigned already), `waiting` is `open` with nobody assigned (an agent given with it is a 400),
the other three are the conversation statuses of the same name.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from engage.conversations.schemas import (
    ID_PATTERN,
    MAX_CONTENT,
    Channel,
    ClientMessageType,
    DeliveryStatus,
    MessageType,
    Priority,
)
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

MAX_REASON = 500
AGENT_ID = Field(default=None, max_length=64, description="a member id (agent role or higher)")


class SessionStatus(StrEnum):
    """A session's status (see the module docstring for its mapping to conversations)."""

    ACTIVE = "active"
    WAITING = "waiting"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class HubSender(StrEnum):
    """Who wrote a message, as seed 003 names them (`customer` is the conversation's user)."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("must not be blank")
    return value


class _Body(CheckedText, RequestModel):
    pass


# -- requests --------------------------------------------------------------------------------
class SessionCreate(_Body):
    """`POST /sessions/create`: open a session with a customer (a contact id) on a channel.
    `initial_message` is recorded as an internal note by the creating agent (never sent to
    the customer)."""

    customer_id: str = Field(min_length=1, max_length=64)
    channel_type: Channel
    priority: Priority = Priority.NORMAL
    initial_message: str | None = Field(default=None, max_length=MAX_CONTENT)

    _blank = field_validator("initial_message")(_not_blank)


class SessionUpdate(_Body):
    """`PUT /sessions/{sessionId}`: any subset. `agent_id: null` unassigns."""

    status: SessionStatus | None = None
    agent_id: str | None = AGENT_ID
    priority: Priority | None = None


class SessionTransfer(_Body):
    """`POST /sessions/{sessionId}/transfer`: move the session from its current channel
    (`from_channel`, checked) to `to_channel`, optionally to an agent."""

    from_channel: Channel
    to_channel: Channel
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    agent_id: str | None = AGENT_ID

    _blank = field_validator("reason")(_not_blank)


class HubMessageSend(_Body):
    """`POST /messages/send`: an agent's reply in a session on the session's channel (or,
    with `private: true`, an internal note). A retry with the same `client_message_id`
    answers the first message."""

    session_id: str = Field(pattern=ID_PATTERN)
    content: str = Field(min_length=1, max_length=MAX_CONTENT)
    type: ClientMessageType = ClientMessageType.TEXT
    private: bool = False
    client_message_id: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9._:\-]{1,128}$", description="the client's send id"
    )

    _blank = field_validator("content")(_not_blank)


# -- responses -------------------------------------------------------------------------------
class CustomerInfoPublic(PublicModel):
    """The contact behind a session (null: not known)."""

    name: str | None
    phone: str | None
    email: str | None


class SessionPublic(PublicModel):
    """A session (seed 003 section 2). `customer_id` is the contact id, `agent_id` the
    assigned member (null: nobody), `last_activity` the latest visible message's time."""

    session_id: str
    customer_id: str
    channel_type: Channel
    status: SessionStatus
    created_at: str
    last_activity: str
    agent_id: str | None
    priority: Priority
    customer_info: CustomerInfoPublic


class SessionListPublic(PublicModel):
    """`GET /sessions/active`: newest activity first; pass `next_cursor` as `cursor` for the
    next page (null: no more)."""

    sessions: list[SessionPublic]
    next_cursor: str | None


class SessionCreatedPublic(PublicModel):
    """`POST /sessions/create`'s answer."""

    session_id: str
    status: Literal["created"] = "created"
    created_at: str


class TransferPublic(PublicModel):
    """`POST /sessions/{sessionId}/transfer`'s answer. `call_id`: the voice call placed to
    the customer (a transfer to voice; `/api/queue/{call_id}` follows it), else null.
    `whatsapp_window_open`: a transfer to WhatsApp says whether the 24-hour window is open
    (outside it agents' messages must be templates), else null. `event_message_id`: the
    transfer's record in the session's history."""

    session_id: str
    from_channel: Channel
    to_channel: Channel
    status: SessionStatus
    agent_id: str | None
    transferred_at: str
    call_id: str | None = None
    call_status: str | None = Field(
        default=None, description="`in_progress` when a call slot was free, else `queued`"
    )
    whatsapp_window_open: bool | None = None
    event_message_id: str


class HubMessagePublic(PublicModel):
    """A message of a session (seed 003 section 9). `type`: `text`, or `event` for records
    such as a transfer; `private`: an internal note the customer never sees;
    `channel_status`: where the provider has a reply sent over SMS or WhatsApp."""

    message_id: str
    session_id: str
    sender: HubSender
    sender_id: str | None
    content: str
    timestamp: str
    type: MessageType
    private: bool
    channel: Channel | None = Field(description="the session's channel when it was written")
    channel_status: DeliveryStatus | None = None


class HubMessageListPublic(PublicModel):
    """`GET /messages/{sessionId}`: oldest first from the start of the session; pass
    `next_cursor` as `cursor` for the following messages (null: no more)."""

    messages: list[HubMessagePublic]
    next_cursor: str | None
