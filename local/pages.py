"""Local-only routes (never deployed): the sandbox outbox and a simulated phone reply."""

from __future__ import annotations

import html
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from engage.channels.sandbox import OUTBOX
from engage.channels.voice import CALL_OUTBOX
from engage.webhooks import service as webhooks

local_router = APIRouter(prefix="/_local", tags=["local runtime"])


@local_router.get("/outbox.json")
def outbox_json(limit: int = 500) -> dict[str, Any]:
    """What the sandbox provider sent, newest first, with each message's latest status."""
    items = OUTBOX.list(limit)
    return {"total": OUTBOX.count(), "messages": items, "calls": CALL_OUTBOX.list(limit)}


@local_router.get("/outbox", response_class=HTMLResponse)
def outbox_page(limit: int = 500) -> str:
    """The outbox as a page (refreshes every 3 seconds)."""
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(m.get(k) or ''))}</td>"
            for k in ("createdAt", "channel", "to", "status", "body", "error", "providerMessageId")
        )
        + "</tr>"
        for m in OUTBOX.list(limit)
    )
    counts: dict[str, int] = {}
    for m in OUTBOX.list(100_000):
        counts[m["status"]] = counts.get(m["status"], 0) + 1
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing sent yet"
    call_list = CALL_OUTBOX.list(limit)
    call_rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(c.get(k) or ''))}</td>"
            for k in (
                "createdAt",
                "to",
                "agentId",
                "status",
                "plannedOutcome",
                "talkSeconds",
                "callSid",
            )
        )
        + "</tr>"
        for c in call_list
    )
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Engage local outbox</title>
<meta http-equiv="refresh" content="3">
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse;
width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;
font-size:.85rem;vertical-align:top}}th{{background:#f4f4f4}}</style></head><body>
<h1>Local outbox</h1><p>{OUTBOX.count()} messages ({html.escape(summary)}).
Sandbox provider only; JSON at <a href="/_local/outbox.json">/_local/outbox.json</a>.</p>
<table><tr><th>created</th><th>channel</th><th>to</th><th>status</th><th>body</th>
<th>error</th><th>provider id</th></tr>{rows}</table>
<h2>Calls</h2><p>{len(call_list)} calls (sandbox voice provider: outcome by the number's last
digit; see engage/channels/voice.py).</p>
<table><tr><th>placed</th><th>to</th><th>agent</th><th>status</th><th>sandbox outcome</th>
<th>talk seconds</th><th>call id</th></tr>{call_rows}</table></body></html>"""


class Reply(BaseModel):
    """A simulated inbound SMS from a phone (`from`, E.164) with `body` (e.g. STOP)."""

    from_: str = Field(alias="from", min_length=3, max_length=20)
    body: str = Field(max_length=1600)


@local_router.post("/sms/reply")
def simulate_reply(reply: Reply) -> dict[str, Any]:
    """Handle a reply exactly as the signed `/webhooks/sms/sandbox/inbound` would."""
    return webhooks.inbound("sandbox", {"From": reply.from_, "Body": reply.body})
