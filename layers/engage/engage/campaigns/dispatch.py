"""The campaign-dispatch state machine's tasks (statemachines/campaign_dispatch.asl.json).

`prepare` checks the campaign; `resolve_page` takes one page of the frozen, opted-in audience,
writes one message item per recipient and queues them; `finalize` refunds what was not
allocated and completes the campaign when every message is settled; `fail` marks a campaign
whose dispatch broke. Each task is safe to retry with the same input:

* the state carries the page number and the running totals (`queued`, `allocated`), and the
  campaign's counters are SET to those totals, never ADDed, so a retried page counts once;
* a page writes its send-batch claim items first; the first one marks the page as started.
  Only when it is there already (a retry) are existing message and claim items looked up and
  kept, so the usual path reads nothing back and writes each message once (BatchWriteItem);
* recipients are packed RECIPIENTS_PER_MESSAGE to an SQS message (with their text, so the
  sender reads no message item), each with a claim item the sender takes once, and sent 10 per
  SendMessageBatch: a page of 1,000 recipients costs one SQS request.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import UpdateError

from engage.audiences.service import Resolver, parse_audience
from engage.campaigns.compose import TOKEN_LENGTH, compose
from engage.campaigns.models import CampaignItem, MessageItem, SendBatchItem
from engage.campaigns.quiet_hours import quiet_until
from engage.campaigns.service import get_item
from engage.campaigns.settle import maybe_complete
from engage.core import clock, ids, keys
from engage.core.aws import client
from engage.core.settings import get_settings
from engage.core.sms import segment_count
from engage.tenants import service as tenants


def _state(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {k: event[k] for k in ("tenantId", "campaignId", "run")}
    out.update(
        {
            "cursor": event.get("cursor"),
            "done": False,
            "waitUntil": None,
            "page": int(event.get("page") or 0),
            "queued": int(event.get("queued") or 0),
            "allocated": int(event.get("allocated") or 0),
        }
    )
    out.update(changes)
    return out


def prepare(event: dict[str, Any]) -> dict[str, Any]:
    """First state: stop at once if the campaign is no longer sending this run."""
    item = get_item(event["tenantId"], event["campaignId"])
    if item.status != "sending" or int(item.run) != int(event["run"]):
        return _state(event, done=True)
    return _state(event, cursor=None, page=0, queued=0, allocated=0)


def resolve_page(event: dict[str, Any]) -> dict[str, Any]:
    """Write and queue one page of recipients; returns the next state input."""
    settings = get_settings()
    tenant_id, campaign_id, run = event["tenantId"], event["campaignId"], int(event["run"])
    page_no, queued, allocated = (int(event.get(k) or 0) for k in ("page", "queued", "allocated"))
    item = get_item(tenant_id, campaign_id)
    if item.status != "sending" or int(item.run) != run:
        return _state(event, done=True)
    tenant_settings = tenants.get_settings_of(tenant_id)
    resume = quiet_until(tenant_settings, clock.now())
    if resume is not None:
        return _state(event, waitUntil=clock.iso(resume))
    resolved_at = clock.now_iso()
    resolver = Resolver(
        tenant_id, parse_audience(item.audience), opted_in_only=True, before_id=item.enqueue_cutoff
    )
    page = resolver.page(event.get("cursor"), settings.dispatch_page_size)
    wanted = {}
    for contact in page.contacts:
        shard = ids.shard_of(contact.sk, settings.message_shards)
        wanted[keys.message_key(tenant_id, campaign_id, shard, run, contact.sk)] = contact
    retried = _page_started(keys.send_batch_key(tenant_id, campaign_id, run, page_no, 0))
    existing = {(m.pk, m.sk): m for m in MessageItem.batch_get(list(wanted))} if retried else {}
    budget = int(item.run_reserved) - allocated
    now = clock.now_iso()
    messages: list[MessageItem] = []
    for key, contact in wanted.items():
        msg = existing.get(key)
        if msg is None:
            token = ids.token(TOKEN_LENGTH) if item.links else None
            body = compose(item, contact, token)
            msg = MessageItem(
                *key,
                contact_id=contact.sk,
                phone=contact.phone_e164,
                body=body,
                segments=segment_count(body),
                status="queued",
                token=token,
                created_at=now,
            )
            if token:
                msg.gsi1pk, msg.gsi1sk = keys.link_index_pk(token), "LINK"
        if int(msg.segments) > budget:
            continue  # names grew since enqueue: never spend more than was debited
        budget -= int(msg.segments)
        messages.append(msg)
    chunks = _chunk_keys(tenant_id, campaign_id, run, page_no, len(messages))
    _write_claims(chunks, messages, retried)
    with MessageItem.batch_write() as batch:
        for msg in messages:
            if (msg.pk, msg.sk) not in existing:
                batch.save(msg)
    _queue(
        chunks,
        tenant_id,
        campaign_id,
        run,
        resolved_at,
        tenant_settings.timezone,
        tenant_settings.senderId or None,
        messages,
    )
    queued += len(messages)
    allocated += sum(int(m.segments) for m in messages)
    try:
        item.update(
            actions=[
                CampaignItem.queued_count.set(queued),
                CampaignItem.run_allocated.set(allocated),
            ],
            condition=CampaignItem.status == "sending",
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return _state(event, done=True, queued=queued, allocated=allocated)  # cancelled
        raise
    return _state(
        event,
        cursor=page.cursor,
        done=page.cursor is None,
        page=page_no + 1,
        queued=queued,
        allocated=allocated,
    )


def _chunk_keys(
    tenant_id: str, campaign_id: str, run: int, page_no: int, count: int
) -> list[tuple[str, str]]:
    per = get_settings().recipients_per_message
    return [
        keys.send_batch_key(tenant_id, campaign_id, run, page_no, i)
        for i in range(max((count + per - 1) // per, 1))
    ]


def _page_started(first_claim: tuple[str, str]) -> bool:
    """Whether an earlier attempt of this page already wrote its first claim item."""
    try:
        SendBatchItem.get(*first_claim, attributes_to_get=["PK"])
    except SendBatchItem.DoesNotExist:
        return False
    return True


def _write_claims(
    chunks: list[tuple[str, str]], messages: list[MessageItem], retried: bool
) -> None:
    """One `queued` claim item per SQS message, written before anything else of the page (the
    first one marks the page as started). On a retried page, claims that exist are kept: one
    may already be claimed by a sender."""
    per = get_settings().recipients_per_message
    have = {(c.pk, c.sk) for c in SendBatchItem.batch_get(chunks)} if retried else set()
    with SendBatchItem.batch_write() as batch:
        for i, key in enumerate(chunks):
            if key not in have:
                size = len(messages[i * per : (i + 1) * per])
                batch.save(SendBatchItem(*key, status="queued", size=size))


def _queue(
    chunks: list[tuple[str, str]],
    tenant_id: str,
    campaign_id: str,
    run: int,
    resolved_at: str,
    tz: str,
    sender: str | None,
    messages: list[MessageItem],
) -> None:
    """Send one SQS message per claim, 10 per SendMessageBatch. Each carries what the sender
    needs to send and record its recipients, so the sender reads no message item."""
    settings = get_settings()
    per = settings.recipients_per_message
    bodies = []
    for i, key in enumerate(chunks):
        chunk = messages[i * per : (i + 1) * per]
        if not chunk:
            continue
        bodies.append(
            json.dumps(
                {
                    "t": tenant_id,
                    "c": campaign_id,
                    "r": run,
                    "b": key[1],
                    "tz": tz,
                    "from": sender,
                    "at": resolved_at,
                    "created": chunk[0].created_at,
                    "m": [
                        [
                            int(m.pk.rsplit("#", 1)[1]),
                            m.contact_id,
                            m.phone,
                            m.body,
                            int(m.segments),
                            m.token,
                        ]
                        for m in chunk
                    ],
                },
                separators=(",", ":"),
                ensure_ascii=False,
            )
        )
    sqs = client("sqs")
    for i in range(0, len(bodies), 10):
        entries = [{"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i : i + 10])]
        result = sqs.send_message_batch(QueueUrl=settings.send_queue_url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} messages")


def _close_run(item: CampaignItem, queued: int, allocated: int, **extra: Any) -> int:
    """Record the run's totals, refund unallocated credits; returns the refund."""
    refund = max(int(item.run_reserved) - allocated, 0)
    actions: list[Any] = [
        CampaignItem.dispatch_complete.set(True),
        CampaignItem.queued_count.set(queued),
        CampaignItem.run_allocated.set(allocated),
        CampaignItem.run_reserved.set(allocated),
        CampaignItem.credits_refunded.add(refund),
    ]
    actions += [getattr(CampaignItem, k).set(v) for k, v in extra.items()]
    item.update(actions=actions, condition=CampaignItem.dispatch_complete == False)  # noqa: E712
    tenants.refund_credits(item.pk.split("#")[1], refund)
    return refund


def finalize(event: dict[str, Any]) -> dict[str, Any]:
    """Mark dispatch complete, refund unallocated credits, complete the campaign if settled."""
    tenant_id, campaign_id, run = event["tenantId"], event["campaignId"], int(event["run"])
    item = get_item(tenant_id, campaign_id)
    if int(item.run) != run or item.dispatch_complete:
        return {"status": item.status}
    _close_run(
        item,
        int(event.get("queued") or item.queued_count),
        int(event.get("allocated") or item.run_allocated),
    )
    maybe_complete(item)
    return {"status": item.status}


def fail(event: dict[str, Any]) -> dict[str, Any]:
    """Catch-all: the dispatch broke. Refund what was not allocated and mark it failed;
    messages already queued are still sent."""
    tenant_id, campaign_id = event["tenantId"], event["campaignId"]
    item = get_item(tenant_id, campaign_id)
    cause = str((event.get("error") or {}).get("Cause", "dispatch failed"))[:500]
    if item.status == "sending" and not item.dispatch_complete:
        _close_run(item, int(item.queued_count), int(item.run_allocated), failure_reason=cause)
        if int(item.queued_count) == 0:
            item.update(
                actions=[CampaignItem.status.set("failed")],
                condition=CampaignItem.status == "sending",
            )
        else:
            maybe_complete(item)
    return {"status": item.status}
