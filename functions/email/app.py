"""email group (issue 10 "email"): the public one-click unsubscribe and the SES events
webhook. No login on either: the unsubscribe token is signed (engage/email/tokens.py), and
every SNS message's signature is verified (engage/email/sns.py).

- `GET /u/{token}`: a page with a button that posts (a GET never unsubscribes: link scanners
  prefetch);
- `POST /u/{token}`: RFC 8058 one-click (`List-Unsubscribe=One-Click`, form-encoded, as mail
  providers send it): opts the contact out of e-mail; a browser (Accept: text/html) gets a page;
- `POST /webhooks/ses/events`: SNS -> bounces, complaints, deliveries (engage/email/events.py).
Routes are plain `def` (DynamoDB, SQS and HTTPS calls block); the raw body is read by an
async dependency first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from engage.core.envelope import ok
from engage.core.errors import Forbidden, ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.openapi import error_responses
from engage.email import events, unsubscribe
from engage.email.schemas import SesEventResponse, UnsubscribeResponse

router = APIRouter(tags=["email"])
PAGE = {200: {"content": {"text/html": {}}, "description": "the confirmation page"}}
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


async def _raw_body(request: Request) -> bytes:
    """The request body as sent (SNS posts JSON as `text/plain`)."""
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


@router.get("/u/{token}", response_class=HTMLResponse, responses=PAGE)
def unsubscribe_page(token: str) -> HTMLResponse:
    """The unsubscribe confirmation page (nothing changes until its button is pressed)."""
    return HTMLResponse(unsubscribe.confirmation_page(token), headers=NO_STORE)


@router.post(
    "/u/{token}",
    response_model=UnsubscribeResponse,
    responses={200: {"content": {"text/html": {}}, "description": "the result"}},
)
def one_click_unsubscribe(token: str, request: Request) -> Response | UnsubscribeResponse:
    """RFC 8058 one-click unsubscribe: opts the contact out of e-mail only (idempotent). The
    body (`List-Unsubscribe=One-Click`) is what providers send; the token alone decides."""
    done = unsubscribe.unsubscribe(token)
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(unsubscribe.done_page(), headers=NO_STORE)
    return UnsubscribeResponse.model_validate(
        ok({"unsubscribed": True, "channel": done.channel, "changed": done.changed})
    )


@router.post(
    "/webhooks/ses/events",
    response_model=SesEventResponse,
    responses=error_responses(ValidationFailed, Forbidden),
)
def ses_events(body: RawBody) -> SesEventResponse:
    """An SNS message of the SES events topic (SubscriptionConfirmation or a Notification
    with an SES event); 403 and no change unless SNS signed it for SES_EVENTS_TOPIC_ARN."""
    outcome = events.handle(body)
    return SesEventResponse.model_validate(ok(vars(outcome)))


app = create_app("email", [router])
handler = http_handler(app)
