"""Local-only route (never deployed): a simulated inbound WhatsApp message (issue 10).

`POST /_local/whatsapp/reply {from, body}` is handled exactly as Twilio's signed
`POST /webhooks/twilio/whatsapp` would be (`engage.webhooks.whatsapp.inbound`): the
`whatsapp:` addresses, a fresh `MessageSid`, `To` = TWILIO_WHATSAPP_FROM_NUMBER when set.
STOP / START change the contact's WhatsApp consent; any other text opens the 24-hour window
and lands in the contact's WhatsApp conversation (every tenant that knows the number).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from engage.core import ids
from engage.core.settings import get_settings
from engage.webhooks import whatsapp

whatsapp_local_router = APIRouter(prefix="/_local", tags=["local runtime"])


class WhatsAppReply(BaseModel):
    """A simulated inbound WhatsApp message from a phone (`from`, E.164) with `body`."""

    from_: str = Field(alias="from", min_length=3, max_length=30)
    body: str = Field(max_length=1600)


@whatsapp_local_router.post("/whatsapp/reply")
def simulate_whatsapp_reply(reply: WhatsAppReply) -> dict[str, Any]:
    """Handle an inbound WhatsApp message exactly as the signed webhook would."""
    to = get_settings().twilio_whatsapp_from_number
    params = {
        "MessageSid": "SM" + ids.token(32),
        "From": "whatsapp:" + reply.from_.removeprefix("whatsapp:"),
        "Body": reply.body,
        "NumMedia": "0",
    }
    if to:
        params["To"] = "whatsapp:" + to
    return whatsapp.inbound(params)
