"""webhooks group: inbound SMS provider callbacks (issue 2), signatures verified first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import Response
from twilio.twiml.messaging_response import MessagingResponse

from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.settings import get_settings
from engage.webhooks import service

router = APIRouter(prefix="/webhooks/sms", tags=["webhooks"])
Signature = Annotated[str, Header(alias="X-Twilio-Signature")]


async def _verified(provider: str, request: Request, signature: str) -> dict[str, str]:
    form = await request.form()
    params = {k: str(v) for k, v in form.items()}
    url = get_settings().public_base_url + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    service.verify(provider, url, params, signature)
    return params


@router.post("/{provider}/status")
async def status_callback(
    provider: str, request: Request, signature: Signature = ""
) -> dict[str, Any]:
    """Delivery receipt (Twilio status callback parameters)."""
    params = await _verified(provider, request, signature)
    return ok(service.status_callback(provider, params, request.query_params.get("ref")))


@router.post("/{provider}/inbound")
async def inbound(provider: str, request: Request, signature: Signature = "") -> Response:
    """A reply; answers TwiML (a message for HELP, empty otherwise)."""
    params = await _verified(provider, request, signature)
    result = service.inbound(provider, params)
    twiml = MessagingResponse()
    if result["reply"]:
        twiml.message(result["reply"])
    return Response(str(twiml), media_type="application/xml")


app = create_app("webhooks", [router])
handler = http_handler(app)
