"""webhooks group: inbound SMS provider callbacks (issue 2) and voice call-status callbacks
(issue 3), signatures verified first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.settings import get_settings
from engage.voice import calls
from engage.webhooks import service

sms_router = APIRouter(prefix="/webhooks/sms", tags=["webhooks"])
voice_router = APIRouter(prefix="/webhooks/voice", tags=["webhooks"])
Signature = Annotated[str, Header(alias="X-Twilio-Signature")]


async def _verified(provider: str, request: Request, signature: str) -> dict[str, str]:
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    url = get_settings().public_base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    service.verify(provider, url, params, signature)
    return params


@sms_router.post("/{provider}/status")
async def status_callback(
    provider: str, request: Request, signature: Signature = ""
) -> dict[str, Any]:
    """Delivery receipt (Twilio status callback parameters)."""
    params = await _verified(provider, request, signature)
    return ok(service.status_callback(provider, params, request.query_params.get("ref")))


@sms_router.post("/{provider}/inbound")
async def inbound(provider: str, request: Request, signature: Signature = "") -> Response:
    """A reply; answers TwiML (a message for HELP, empty otherwise)."""
    params = await _verified(provider, request, signature)
    result = service.inbound(provider, params)
    twiml = MessagingResponse()
    if result["reply"]:
        twiml.message(result["reply"])
    return Response(str(twiml), media_type="application/xml")


@voice_router.post("/{provider}/status")
async def voice_status(
    provider: str, request: Request, signature: Signature = ""
) -> dict[str, Any]:
    """Call-progress callback (Twilio voice StatusCallback parameters, issue 3): applied in
    `SequenceNumber` order, repeats ignored; the final status completes the call's execution."""
    params = await _verified(provider, request, signature)
    return ok(calls.status_callback(provider, params, request.query_params.get("ref")))


router = APIRouter()
router.include_router(sms_router)
router.include_router(voice_router)
app = create_app("webhooks", [router])
handler = http_handler(app)
