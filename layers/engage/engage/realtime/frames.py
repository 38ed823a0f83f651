"""Realtime frames (issue 9 "Realtime"; seed 001 "Critical integration mismatches" 3 and 5).

Client -> server: JSON text `{"action": <Action>, "data": ...}`. API Gateway routes a frame by
its `action` (the API's route selection expression `$request.body.action`). For the
conversation actions the payload may be `{"conversation_id": "..."}` or the plain id string
(seed 001 mismatch 3), given as `data` or, flat, as `conversation_id` beside `action`.

Server -> client: `{"event": <name>, "data": {...}}`: `pong`, `error` (`{code, message,
action}`), `campaign:progress` (the `campaign.progress` event's data, with `event_id` and
`occurred_at`).
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


def frame(event: str, data: dict[str, Any]) -> dict[str, Any]:
    """A server frame."""
    return {"event": event, "data": data}


def error(code: str, message: str, action: str | None = None) -> dict[str, Any]:
    """An `error` frame (the socket stays open)."""
    return frame("error", {"code": code, "message": message, "action": action})
