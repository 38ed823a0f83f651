"""Realtime frames (issue 9 "Realtime"; seed 001 "Critical integration mismatches" 3 and 5).

Client -> server: JSON text `{"action": <Action>, "data": ...}`. API Gateway routes a frame by
its `action` (the API's route selection expression `$request.body.action`). For the
conversation actions the payload may be `{"conversation_id": "..."}` or the plain id string
(seed 001 mismatch 3), given as `data` or, flat, as `conversation_id` beside `action`.

Server -> client: `{"event": <Push>, "data": {...}}`: answers to the socket's own frames
(`pong`, `conversation:joined`, `conversation:left`, `error` `{code, message, action}` with a
`Code`), `typing` from other sockets of a joined conversation, and the domain events the
fan-out pushes (fanout.py: `message:new`, `message:status`, `conversation:updated`,
`campaign:progress`, each with `event_id` and `occurred_at`; `notification:new` to the
sockets of the one member it is for). README "Realtime protocol" says
who gets which.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Action(StrEnum):
    """What a client may send (API Gateway route keys)."""

    CONVERSATION_JOIN = "conversation:join"
    CONVERSATION_LEAVE = "conversation:leave"
    TYPING_START = "typing:start"
    TYPING_STOP = "typing:stop"
    PING = "ping"


class Push(StrEnum):
    """What the server sends (the frame's `event`)."""

    PONG = "pong"
    ERROR = "error"
    JOINED = "conversation:joined"
    LEFT = "conversation:left"
    TYPING = "typing"
    MESSAGE_NEW = "message:new"
    MESSAGE_STATUS = "message:status"
    CONVERSATION_UPDATED = "conversation:updated"
    CAMPAIGN_PROGRESS = "campaign:progress"
    NOTIFICATION_NEW = "notification:new"  # to the one member it is for (issue 11)


class Code(StrEnum):
    """`error` frame codes (the socket stays open after each)."""

    VALIDATION_ERROR = "validation_error"
    """The frame is not JSON `{"action", "data"}`, or it lacks the conversation id."""
    NOT_FOUND = "not_found"
    """`conversation:join` of a conversation this socket may not see (or that does not exist)."""
    NOT_JOINED = "not_joined"
    """`typing:*` in a conversation this socket has not joined."""
    TOO_MANY = "conflict"
    """`conversation:join` beyond MAX_JOINED conversations at once."""


class ConversationRef(BaseModel):
    """`{"conversation_id": "..."}`."""

    model_config = ConfigDict(extra="ignore")
    conversation_id: str = Field(min_length=1, max_length=64)


class ActionFrame(BaseModel):
    """One client frame."""

    model_config = ConfigDict(extra="ignore")
    action: Action
    data: ConversationRef | str | None = None
    conversation_id: str | None = Field(default=None, min_length=1, max_length=64)

    def conversation(self) -> str | None:
        """The conversation id in whichever form the client sent it."""
        if isinstance(self.data, ConversationRef):
            return self.data.conversation_id
        if isinstance(self.data, str) and 0 < len(self.data) <= 64:
            return self.data
        return self.conversation_id


def frame(event: Push, data: dict[str, Any]) -> dict[str, Any]:
    """A server frame."""
    return {"event": event.value, "data": data}


def error(code: Code, message: str, action: str | None = None) -> dict[str, Any]:
    """An `error` frame (the socket stays open)."""
    return frame(Push.ERROR, {"code": code.value, "message": message, "action": action})
