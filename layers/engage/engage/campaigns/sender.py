"""The sender: one SQS message = up to RECIPIENTS_PER_MESSAGE recipients of one campaign run.

Exactly once per recipient, even when SQS delivers the message again:
1. claim the message's send batch (`queued -> claimed`, one conditional update): a second or
   concurrent delivery finds it claimed and sends nothing. A claim older than CLAIM_LEASE
   belongs to an invocation that died (timed out); the next delivery takes it over (the same
   update) and resumes;
2. re-check consent as it is now: one Query of the tenant's consent log since the page was
   resolved (minus a minute for clock skew) names every contact that opted out, was deleted or
   changed number since; those, and every recipient of a cancelled campaign, are skipped;
3. take each message's frequency-cap slot (`caps.take`: under the tenant's cap lease, one
   batched read and batched writes; a sender that cannot get the lease gives the batch back
   unsent, `message_store.give_back`, and fails it for SQS to redeliver; a capped message
   is skipped, or with delivery `first_available` replaced by the recipient's next open
   channel, `fallback.choose`), then hand each message (its text
   travels in the SQS body) once to its channel's adapter (`channel_send`); a campaign on
   several channels has several messages per recipient in one batch, and consent is
   re-checked per channel;
4. write the outcomes (`sent` / `failed` / `skipped`) with BatchWriteItem after every 25
   recipients (so a takeover knows where the dead holder stopped); refund the credits of
   everything not sent and add the tenant, daily and campaign counters (one ADD each; the
   campaign's answer says whether it is settled, so it completes without another read), then
   mark the batch `done`. Simulated sandbox receipts go to the receipts queue like a
   provider's webhook would.
If an invocation dies mid-batch, the recipients of the chunk it was sending when it died may or
may not have been handed to the provider: they are marked failed (delivery unknown) and
refunded, never sent twice; the rest of the batch is sent by the takeover.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from engage.campaigns import caps, fallback, message_store, stats, store
from engage.campaigns.channel_send import ChannelSend
from engage.campaigns.events import SendBatchBody
from engage.campaigns.message_store import Message
from engage.campaigns.models import CampaignItem
from engage.campaigns.receipts import queue_receipts
from engage.campaigns.settle import maybe_complete
from engage.contacts import store as contacts
from engage.core import clock, keys
from engage.core.observability import logger, metrics
from engage.tenants import service as tenants

NOTHING = {"sent": 0, "failed": 0, "skipped": 0}
SEND_CHUNK = 25  # outcomes are written after every chunk (one BatchWriteItem)
CLAIM_LEASE = dt.timedelta(seconds=120)  # longer than the sender's Lambda timeout (60 s)
CLOCK_MARGIN = dt.timedelta(seconds=60)  # consent-log entries this much older still count


def _resume(
    batch: list[fallback.Slot], by_channel: Counter[str], moved: Counter[str]
) -> tuple[list[fallback.Slot], set[tuple[str, str]], dict[str, int], int]:
    """After a takeover: the slots still to handle, the keys (of their first messages) whose
    fate is unknown, and the counts and refund of what the dead holder recorded (it died
    before accounting for them: a batch whose accounting ran is `done` and cannot be taken
    over). A slot is handled when any of its messages has an item (one is written per slot).

    Outcomes are written chunk by chunk, in order, so only the first chunk that still has
    unhandled slots can hold messages the dead holder handed to the provider without
    recording them. Those are not sent again (at most once); the rest are sent normally.
    """
    stored = message_store.message_states([m.key for slot in batch for m in slot])
    counts = dict(NOTHING)
    refund = 0
    pending: list[fallback.Slot] = []
    for slot in batch:
        head = slot[0]
        found = next((m for m in slot if m.key in stored), None)
        st, segments = stored[found.key] if found is not None else ("queued", 0)
        if found is None or st == "queued":
            pending.append(slot)
            continue
        if st in counts:
            counts[st] += 1
            by_channel[f"{found.channel}_{st}"] += 1
            refund += segments if st != "sent" else max(head.segments - segments, 0)
        if found is not head:
            moved[head.channel] -= 1
            moved[found.channel] += 1
    waiting = {slot[0].key for slot in pending}
    unknown: set[tuple[str, str]] = set()
    for i in range(0, len(batch), SEND_CHUNK):
        chunk = [slot[0].key for slot in batch[i : i + SEND_CHUNK]]
        if any(k in waiting for k in chunk):
            unknown = {k for k in chunk if k in waiting}
            break
    return pending, unknown, counts, refund


def _messages(body: SendBatchBody) -> list[Message]:
    """Rebuild the recipients' message items from the SQS body written by dispatch."""
    created = body.created or body.at
    out: list[Message] = []
    for row in body.m:
        shard, contact_id, to, text, credits, token = row[:6]
        pk, sk = keys.message_key(body.t, body.c, shard, body.r, contact_id)
        if len(row) == 6:
            out.append(Message(pk, sk, contact_id, to, text, credits, token, created))
            continue
        channel, values = row[6], row[7]
        sk = keys.channel_message_sk(sk, channel)
        out.append(Message(pk, sk, contact_id, to, text, credits, token, created, channel=channel))
        out[-1].values = values
        out[-1].fallback = len(row) > 8 and bool(row[8])
    return out


def _unsendable(tenant_id: str, since: str, messages: list[Message]) -> dict[str, set[str]]:
    """Per channel of the batch, the contacts that stopped being sendable on it since `since`
    (the consent log: that channel's entries and those of every channel)."""
    return {
        channel: contacts.unsendable_since(tenant_id, since, channel)
        for channel in sorted({m.channel for m in messages})
    }


def process(body: SendBatchBody) -> dict[str, int]:
    """Send one SQS message's recipients; returns counts `{sent, failed, skipped}`."""
    tenant_id, campaign_id = body.t, body.c
    batch_key = (keys.send_batch_partition(tenant_id, campaign_id), body.b)
    now = clock.now()
    claimed_at = clock.iso(now)
    claim = message_store.claim(batch_key, claimed_at, clock.iso(now - CLAIM_LEASE))
    if claim is None:
        logger.info("batch already claimed; nothing to do", extra={"batch": body.b})
        return dict(NOTHING)
    messages = _messages(body)
    batch = fallback.slots(messages)
    first_available = any(len(row) > 8 for row in body.m)  # credits held, not each price
    unknown: set[tuple[str, str]] = set()
    counts, refund = dict(NOTHING), 0
    by_channel: Counter[str] = Counter()  # "<channel>_<status>": n
    moved: Counter[str] = Counter()  # first_available: queued shares that changed channel
    if claim == "takeover":
        batch, unknown, counts, refund = _resume(batch, by_channel, moved)
        logger.warning("took over a send batch", extra={"batch": body.b, "unknown": len(unknown)})
    status_now = store.campaign_status(tenant_id, campaign_id)
    campaign = None if status_now is None else CampaignItem(*batch_campaign_key(body))
    cancelled = status_now is None or status_now == "cancelled"
    since = clock.iso(dt.datetime.fromisoformat(body.at.replace("Z", "+00:00")) - CLOCK_MARGIN)
    unsendable = {} if cancelled else _unsendable(tenant_id, since, messages)
    live = [] if cancelled else [slot for slot in batch if slot[0].key not in unknown]
    try:
        picked = fallback.choose(tenant_id, campaign_id, body.r, live, unsendable)
    except caps.CapContended:  # nothing was sent: give the batch back for SQS to redeliver
        message_store.give_back(batch_key, claimed_at, fresh=claim == "fresh")
        raise
    out = ChannelSend(body)
    done: list[Message] = []
    for slot in batch:
        head = m = slot[0]
        error: str | None
        if head.key in unknown:
            status, error = "failed", "sender stopped while sending; delivery unknown"
        elif cancelled:
            status, error = "skipped", "campaign cancelled"
        elif isinstance(pick := picked[head.key], str):
            status, error = "skipped", pick
        else:
            m = pick
            result = out.send(m)
            status, error = result.status, result.error
            m.provider_message_id = result.provider_message_id
        spent = (fallback.cost_of(m) if first_available else m.segments) if status == "sent" else 0
        refund += max(head.segments - spent, 0)
        m.segments = spent if status == "sent" else head.segments
        if m is not head:  # sent (or tried) on a fallback channel instead
            moved[head.channel] -= 1
            moved[m.channel] += 1
        m.status, m.error, m.updated_at = status, error, clock.now_iso()
        counts[status] += 1
        by_channel[f"{m.channel}_{status}"] += 1
        done.append(m)
        if len(done) == SEND_CHUNK:
            _record(done)
    _record(done)
    if _account(body, batch_key, claimed_at, campaign, counts, by_channel, refund, moved):
        queue_receipts(out.flush())
    metrics.add_metric(name="SmsSent", unit="Count", value=by_channel["sms_sent"])
    logger.info("batch sent", extra={"campaign_id": campaign_id, **counts})
    return counts


def batch_campaign_key(body: SendBatchBody) -> tuple[str, str]:
    """The key of the batch's campaign."""
    return keys.campaign_partition(body.t), body.c


def _record(done: list[Message]) -> None:
    """Write the outcomes handled so far (BatchWriteItem) and forget them."""
    message_store.put_messages(done)
    done.clear()


def _account(
    body: SendBatchBody,
    batch_key: tuple[str, str],
    claimed_at: str,
    campaign: CampaignItem | None,
    counts: dict[str, int],
    by_channel: Counter[str],
    refund: int,
    moved: Counter[str] | None = None,
) -> bool:
    """Add the tenant, daily and campaign counters (one ADD each), then mark the batch done
    (only while this holder's claim stands); complete the campaign when it is settled."""
    tenant_id = body.t
    tenants.add_counters(tenant_id, messages_sent=counts["sent"], credits=refund)
    stats.add_daily(
        tenant_id,
        stats.day_in(body.tz or "UTC"),
        sent=counts["sent"],
        failed=counts["failed"],
        credits_debited=-refund,
    )
    shares = {k: n for k, n in by_channel.items() if not k.startswith("sms_") and n}
    shares |= {f"{channel}_moved": n for channel, n in (moved or {}).items() if n}
    if campaign is not None and store.add_send_counts(
        campaign, counts["sent"], counts["failed"], counts["skipped"], refund, shares
    ):
        maybe_complete(campaign)
    if not message_store.mark_done(batch_key, claimed_at):
        logger.warning("send batch was taken over while it was accounted", extra={"batch": body.b})
        return False
    return True


def process_record_body(raw: str) -> dict[str, int]:
    """Entry point for one SQS record body (JSON written by dispatch)."""
    return process(SendBatchBody.model_validate_json(raw))
