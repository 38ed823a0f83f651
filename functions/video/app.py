"""video group (issue 10 "video"; README "Video sessions"): video sessions with customers,
as meetings of the sandbox or of Amazon Chime SDK Meetings (VIDEO_PROVIDER). Reading needs a
viewer; starting and ending a session an agent. The routes call the provider: plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engage.core.auth import AgentPrincipal, ViewerPrincipal
from engage.core.errors import NotFound, ProviderFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.openapi import error_responses
from engage.video import service
from engage.video.schemas import (
    VideoSessionCreate,
    VideoSessionListPublic,
    VideoSessionPublic,
    VideoSessionStatus,
)

router = APIRouter(prefix="/video/sessions", tags=["video"])

SessionId = Annotated[str, Path(min_length=1, max_length=64)]
Cursor = Annotated[str | None, Query(max_length=64, description="next_cursor of the last page")]
Limit = Annotated[int, Query(ge=1, le=100, description="sessions per page")]


@router.post("", status_code=201, responses=error_responses(NotFound, ProviderFailed))
def create_session(body: VideoSessionCreate, principal: AgentPrincipal) -> VideoSessionPublic:
    """Start a video session with the customer `customer_id` (a contact id): creates the
    meeting, an attendee for you (your member id) and one for the customer (their contact id),
    in their video conversation (`conversation_id`, or their open one, or a new one). The
    answer is the only one with the attendees' `join_token`s: hand the customer theirs.
    404 for an unknown customer or conversation; 502 when the provider refuses."""
    return service.create_session(principal.tenant_id, principal.user_id, body)


@router.get("")
def list_sessions(
    principal: ViewerPrincipal,
    status: VideoSessionStatus | None = None,
    cursor: Cursor = None,
    limit: Limit = 25,
) -> VideoSessionListPublic:
    """The tenant's video sessions, newest first (`status=active`: the ones still running)."""
    return service.list_sessions(principal.tenant_id, status, cursor, limit)


@router.get("/{session_id}")
def get_session(session_id: SessionId, principal: ViewerPrincipal) -> VideoSessionPublic:
    """One video session (no join tokens); `duration_seconds` and `minutes` once ended."""
    return service.get_session(principal.tenant_id, session_id)


@router.post("/{session_id}/end", responses=error_responses(ProviderFailed))
def end_session(session_id: SessionId, principal: AgentPrincipal) -> VideoSessionPublic:
    """End the meeting for everyone and record its duration. Ending an ended session answers
    it unchanged (whether this route or the provider's meeting-ended event came first)."""
    return service.end_session(principal.tenant_id, session_id)


app = create_app("video", [router])
handler = http_handler(app)
