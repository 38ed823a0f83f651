"""Wire shapes of ratings (issue 11 "Analytics"; bare JSON, snake_case as seed 003 writes it).

`POST /v1/conversations/{conversation_id}/rating` (the end user) and
`POST /sessions/{sessionId}/rating` (the console, on the customer's behalf) take
`RatingCreate` and answer `RatingPublic` with 201.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from engage.conversations.schemas import Channel
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

MIN_SCORE, MAX_SCORE = 1, 5
MAX_COMMENT = 1000


class RatingSource(StrEnum):
    """How a rating came: the end user's chat client, the console (a member on the customer's
    behalf, e.g. from a phone call), or a digit replied over SMS or WhatsApp."""

    END_USER = "end_user"
    CONSOLE = "console"
    SMS = "sms"
    WHATSAPP = "whatsapp"


class RatingCreate(CheckedText, RequestModel):
    """A 1-5 rating (5 = great) with an optional comment (blank: none)."""

    score: int = Field(ge=MIN_SCORE, le=MAX_SCORE, strict=True, description="1-5, 5 = great")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)

    @field_validator("comment")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


class RatingPublic(PublicModel):
    """A session's rating: `agent_id` the member the session was assigned to when it resolved
    (null: nobody), `created_at` ISO 8601 UTC."""

    rating_id: str
    session_id: str
    score: int = Field(ge=MIN_SCORE, le=MAX_SCORE)
    comment: str | None
    channel: Channel
    agent_id: str | None
    created_at: str
