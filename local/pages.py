"""Local-only routes (never deployed): the sandbox outbox and a simulated phone reply.

`/_local/outbox` (HTML, refreshes every 3 seconds) and `/_local/outbox.json` list what the
sandbox providers sent, newest first: SMS messages with their latest receipt status, calls
with their progress, and e-mails (team invitations). `/accept-invite` stands in for the
console's invitation page. Both take `tenant` and `campaign` (ids; either or both narrow the list)
and `limit` (rows per list, 500 by default), and say how many rows they show of how many.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.channels.sandbox import OUTBOX, Outbox
from engage.channels.voice import CALL_OUTBOX
from engage.core import keys
from engage.webhooks import service as webhooks

local_router = APIRouter(prefix="/_local", tags=["local runtime"])

Limit = Annotated[int, Query(ge=1, le=100_000, description="rows per list, newest first")]
TenantFilter = Annotated[str | None, Query(max_length=64, description="only this tenant id")]
CampaignFilter = Annotated[str | None, Query(max_length=64, description="only this campaign id")]


def owner(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """`(tenant_id, campaign_id)` of an outbox record, read from its `ref`: an SMS ref is
    `<tenantId>|<message PK>|<message SK>` (campaigns/sender.py), a call ref
    `<tenantId>.<campaignId>-<seq>.<attempt>` (voice/calls.py). None for what is not known."""
    ref = str(record.get("ref") or "")
    if "callSid" in record:
        call = keys.parse_voice_call_ref(ref)
        return (call[0], call[1]) if call else (ref.partition(".")[0] or None, None)
    tenant, _, rest = ref.partition("|")
    try:
        _, campaign_id, _ = keys.parse_message_partition(rest.partition("|")[0])
    except ValueError:
        return (tenant or None, None)
    return (tenant or None, campaign_id)


@dataclass
class Listing:
    """One list of the outbox after the filters: the newest `limit` rows of `matching`."""

    rows: list[dict[str, Any]]
    held: int
    matching: int
    by_status: dict[str, int]


def listing(box: Outbox, tenant: str | None, campaign: str | None, limit: int) -> Listing:
    """Filter `box` by tenant and campaign; count what matches, by status."""
    held = box.list(box.count())
    wanted = []
    for record in held:
        t, c = owner(record)
        if (tenant and t != tenant) or (campaign and c != campaign):
            continue
        wanted.append({**record, "tenantId": t, "campaignId": c})
    statuses = Counter(str(r.get("status")) for r in wanted)
    return Listing(wanted[:limit], len(held), len(wanted), dict(sorted(statuses.items())))


def _counts(listing_: Listing) -> dict[str, Any]:
    return {
        "shown": len(listing_.rows),
        "matching": listing_.matching,
        "held": listing_.held,
        "byStatus": listing_.by_status,
    }


@local_router.get("/outbox.json")
def outbox_json(
    tenant: TenantFilter = None, campaign: CampaignFilter = None, limit: Limit = 500
) -> dict[str, Any]:
    """What the sandbox providers sent, newest first, each with its latest status, its
    `tenantId` and `campaignId` (an e-mail has a campaign when a campaign sent it).
    `counts.messages` / `counts.calls` / `counts.emails`: rows `shown`, `matching`
    the filters, `held` in all, and the matching rows `byStatus`. `total` = messages held."""
    messages = listing(OUTBOX, tenant, campaign, limit)
    calls = listing(CALL_OUTBOX, tenant, campaign, limit)
    emails = listing(EMAIL_OUTBOX, tenant, campaign, limit)
    return {
        "total": messages.held,
        "filters": {"tenant": tenant, "campaign": campaign, "limit": limit},
        "counts": {
            "messages": _counts(messages),
            "calls": _counts(calls),
            "emails": _counts(emails),
        },
        "messages": messages.rows,
        "calls": calls.rows,
        "emails": emails.rows,
    }


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""))


def _link(label: str | None, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    return f'<a href="/_local/outbox?{_e(query)}">{_e(label)}</a>' if label else ""


def _summary(what: str, found: Listing) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in found.by_status.items()) or "none"
    of_held = f" ({found.held} held in all)" if found.matching != found.held else ""
    return (
        f"Showing {len(found.rows)} of {found.matching} {what}{of_held}. By status: {_e(statuses)}."
    )


def _table(rows: list[dict[str, Any]], columns: list[tuple[str, str]], limit: int) -> str:
    head = "".join(f"<th>{_e(title)}</th>" for _, title in columns)
    body = ""
    for r in rows:
        cells = ""
        for key, _ in columns:
            if key == "tenantId":
                cells += f"<td>{_link(r['tenantId'], tenant=r['tenantId'], limit=str(limit))}</td>"
            elif key == "campaignId":
                tenant, campaign = r["tenantId"], r["campaignId"]
                cell = _link(campaign, tenant=tenant, campaign=campaign, limit=str(limit))
                cells += f"<td>{cell}</td>"
            elif key == "headers":  # e-mails (issue 10): List-Unsubscribe, In-Reply-To...
                lines = [f"{h['name']}: {h['value']}" for h in r.get(key) or []]
                cells += f"<td>{'<br>'.join(_e(line) for line in lines)}</td>"
            elif key == "providerMessageId" and r.get("channel") == "email":
                href = _e("/_local/email/" + str(r.get(key)))
                cells += f'<td><a href="{href}">{_e(r.get(key))}</a></td>'
            else:
                cells += f"<td>{_e(r.get(key))}</td>"
        body += f"<tr>{cells}</tr>"
    return f"<table><tr>{head}</tr>{body}</table>"


MESSAGE_COLUMNS = [
    ("createdAt", "created"),
    ("channel", "channel"),  # sms | whatsapp (both sandboxes record here)
    ("tenantId", "tenant"),
    ("campaignId", "campaign"),
    ("to", "to"),
    ("status", "status"),
    ("body", "body"),
    ("error", "error"),
    ("providerMessageId", "provider id"),
]
CALL_COLUMNS = [
    ("createdAt", "placed"),
    ("tenantId", "tenant"),
    ("campaignId", "campaign"),
    ("to", "to"),
    ("agentId", "agent"),
    ("status", "status"),
    ("plannedOutcome", "sandbox outcome"),
    ("talkSeconds", "talk seconds"),
    ("callSid", "call id"),
]


EMAIL_COLUMNS = [
    ("createdAt", "sent"),
    ("tenantId", "tenant"),
    ("campaignId", "campaign"),
    ("from", "from"),
    ("to", "to"),
    ("subject", "subject"),
    ("text", "text"),
    ("headers", "headers"),
    ("providerMessageId", "provider id (opens it with its HTML)"),
]


@local_router.get("/outbox", response_class=HTMLResponse)
def outbox_page(
    tenant: TenantFilter = None, campaign: CampaignFilter = None, limit: Limit = 500
) -> str:
    """The outbox as a page (refreshes every 3 seconds), with the same filters as the JSON."""
    messages = listing(OUTBOX, tenant, campaign, limit)
    calls = listing(CALL_OUTBOX, tenant, campaign, limit)
    emails = listing(EMAIL_OUTBOX, tenant, campaign, limit)
    json_link = "/_local/outbox.json?" + urlencode(
        {k: v for k, v in {"tenant": tenant, "campaign": campaign, "limit": limit}.items() if v}
    )
    filtered = " (filtered)" if tenant or campaign else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Engage local outbox</title>
<meta http-equiv="refresh" content="3">
<style>body{{font-family:system-ui,sans-serif;margin:2rem}}table{{border-collapse:collapse;
width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;
font-size:.85rem;vertical-align:top}}th{{background:#f4f4f4}}form{{margin:1rem 0}}
input{{font-family:monospace;width:18rem}}</style></head><body>
<h1>Local outbox{filtered}</h1>
<form method="get" action="/_local/outbox">
<label>tenant <input name="tenant" value="{_e(tenant)}" placeholder="any tenant id"></label>
<label>campaign <input name="campaign" value="{_e(campaign)}" placeholder="any campaign id">
</label> <label>rows <input name="limit" value="{limit}" style="width:5rem"></label>
<button>filter</button> <a href="/_local/outbox">clear</a></form>
<p>Sandbox providers only; newest first; click a tenant or campaign to filter by it. JSON at
<a href="{_e(json_link)}">{_e(json_link)}</a>.</p>
<h2>Messages</h2><p>{_summary("messages", messages)}</p>
{_table(messages.rows, MESSAGE_COLUMNS, limit)}
<h2>Calls</h2><p>{_summary("calls", calls)} Sandbox voice provider: the outcome follows the
number's last digit (see engage/channels/voice.py).</p>
{_table(calls.rows, CALL_COLUMNS, limit)}
<h2>E-mails</h2><p>{_summary("e-mails", emails)} Sandbox e-mail provider (EMAIL_PROVIDER=sandbox):
team invitations, campaign e-mails (with their List-Unsubscribe) and replies; open a provider id
to see the e-mail's HTML and headers.</p>
{_table(emails.rows, EMAIL_COLUMNS, limit)}</body></html>"""


console_router = APIRouter(tags=["local runtime"])


@console_router.get("/accept-invite", response_class=HTMLResponse)
def accept_invite_page(token: Annotated[str, Query(max_length=200)] = "") -> str:
    """A stand-in for the console's accept page (CONSOLE_BASE_URL defaults to this runtime):
    a form that posts the invitation link's token to `POST /auth/invitations/{token}/accept`
    and shows the answer (the token response, or the error)."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Accept invitation</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:40rem}}
label{{display:block;margin:.5rem 0}}pre{{background:#f4f4f4;padding:1rem;white-space:pre-wrap;
word-break:break-all}}</style></head><body><h1>Accept the invitation</h1>
<p>Local runtime only: the console's page does the same.</p>
<form id="f"><input type="hidden" id="token" value="{_e(token)}">
<label>Your name <input id="name" required maxlength="100"></label>
<label>Password (8 characters or more) <input id="password" type="password" required
minlength="8" maxlength="256"></label><button>Accept</button></form><pre id="out"></pre>
<script>
document.getElementById("f").addEventListener("submit", async (event) => {{
  event.preventDefault();
  const token = encodeURIComponent(document.getElementById("token").value);
  const resp = await fetch(`/auth/invitations/${{token}}/accept`, {{
    method: "POST", headers: {{"content-type": "application/json"}},
    body: JSON.stringify({{name: document.getElementById("name").value,
                          password: document.getElementById("password").value}})}});
  document.getElementById("out").textContent = resp.status + "\n" +
    JSON.stringify(await resp.json(), null, 2);
}});
</script></body></html>"""


class Reply(BaseModel):
    """A simulated inbound SMS from a phone (`from`, E.164) with `body` (e.g. STOP)."""

    from_: str = Field(alias="from", min_length=3, max_length=20)
    body: str = Field(max_length=1600)


@local_router.post("/sms/reply")
def simulate_reply(reply: Reply) -> dict[str, Any]:
    """Handle a reply exactly as the signed `/webhooks/sms/sandbox/inbound` would."""
    return webhooks.inbound("sandbox", {"From": reply.from_, "Body": reply.body})
