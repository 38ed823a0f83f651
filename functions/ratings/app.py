"""ratings group (issue 11 "Analytics": customer satisfaction collected for real; README
"Customer satisfaction ratings"): a session's 1-5 rating, given by the end user on their own
conversation (`/v1`, the chat client's auth: engage/endusers/deps.py; another conversation is
a 404) or recorded by an agent from the console on the customer's behalf. A session is rated
once; a second rating is a 409.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from engage.core.auth import AgentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.endusers.deps import CurrentEndUser
from engage.ratings import service
from engage.ratings.schemas import RatingCreate, RatingPublic

router = APIRouter(tags=["ratings"])

SessionPath = Annotated[str, Path(alias="sessionId", max_length=64, description="the session")]


@router.post("/v1/conversations/{conversation_id}/rating", status_code=201)
def rate_conversation(
    conversation_id: str, body: RatingCreate, user: CurrentEndUser
) -> RatingPublic:
    """The caller rates their own conversation 1-5 (5 = great), with an optional comment."""
    return service.rate_own(user.tenant_id, user.user_id, conversation_id, body)


@router.post("/sessions/{sessionId}/rating", status_code=201)
def rate_session(
    session_id: SessionPath, body: RatingCreate, principal: AgentPrincipal
) -> RatingPublic:
    """Record the customer's 1-5 rating of a session on their behalf (e.g. given on a call)."""
    return service.rate_session(principal.tenant_id, principal.user_id, session_id, body)


app = create_app("ratings", [router])
handler = http_handler(app)
