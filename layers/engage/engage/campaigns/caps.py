"""The per-contact frequency cap (issue 10 "Consent is per channel"): a contact gets at most
CAMPAIGN_FREQUENCY_CAP marketing messages per channel in any rolling
CAMPAIGN_FREQUENCY_WINDOW_DAYS days, across all campaigns (0: no cap).

The sender takes the slots of a batch's messages before it sends them (`take`), holding the
tenant's cap lease (`channel_store.take_cap_lease`) while it reads the batch's contacts' cap
items (one BatchGetItem per 100, consistent), decides, and writes the changed items back (one
BatchWriteItem per 25). A batch of 100 recipients costs about six requests instead of one
conditional write per contact, and two senders never decide for one contact at once, so
two campaigns cannot both take a contact's last slot.

The lease is held for milliseconds. A holder that dies keeps it LEASE at most; one that finds
WRITE_BY seconds gone since it took the lease writes nothing (its lease may have lapsed and
been taken: BatchWriteItem has no condition to refuse a late writer) and raises CapContended,
as does a sender that waited WAIT_SECONDS for it. Per tenant, the lease bounds cap decisions
to one batch at a time: about 30 ms of DynamoDB requests per batch, some 3,000 recipients a
second, above any carrier's sending rate for one sender.

A send is recorded as `<sentAt>#<campaignId>#<run>`, so a takeover of a batch, or a
redelivered page, finds its own entry and neither counts it twice nor caps it. A slot is
taken before the message goes out: a message the provider then refuses still counts (the cap
errs on the side of fewer messages).
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from engage.campaigns import channel_store
from engage.campaigns.channel_store import CapRecord
from engage.core import clock, keys
from engage.core.settings import get_settings

LEASE = dt.timedelta(seconds=20)  # how long a taken lease lasts if its holder dies
WRITE_BY = 10.0  # seconds after taking the lease past which its holder writes nothing
WAIT_SECONDS = 30.0  # how long a sender waits for the lease (longer than LEASE)
FIRST_PAUSE, LONGEST_PAUSE = 0.002, 0.05  # seconds between tries (doubling, jittered)


class CapContended(RuntimeError):
    """The tenant's cap lease could not be taken, or was held too long to write under (the
    sender gives its batch back and SQS delivers it again)."""


def _decide(
    record: CapRecord,
    channels: list[str],
    mine: str,
    campaign_id: str,
    run: int,
    window_start: str,
    cap: int,
) -> tuple[dict[str, list[str]] | None, set[str]]:
    """What to write (None: nothing changes) and the channels that are capped."""
    sends = {c: [e for e in entries if e >= window_start] for c, entries in record.sends.items()}
    changed = False  # entries that only aged out are dropped with the next write
    capped: set[str] = set()
    for channel in channels:
        entries = sends.setdefault(channel, [])
        if any(keys.parse_frequency_cap_entry(e)[1:] == (campaign_id, run) for e in entries):
            continue  # already recorded by this run (a takeover or a redelivered page)
        if len(entries) >= cap:
            capped.add(channel)
            continue
        entries.append(mine)
        changed = True
    return (sends if changed else None), capped


def _epoch_ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


@contextmanager
def lease(tenant_id: str) -> Iterator[float]:
    """Hold the tenant's cap lease; yields the `time.monotonic()` (seconds) after which the
    holder must not write. Raises CapContended after WAIT_SECONDS without it. The lease
    pattern of AWS's DynamoDB Lock Client (a conditional put of holder and expiry, retried
    with backoff, a conditional delete by the holder), without its heartbeats: a lease is held
    for one batch's reads and writes only."""
    holder = uuid.uuid4().hex
    give_up = time.monotonic() + WAIT_SECONDS
    pause = FIRST_PAUSE
    while True:
        taken_at = time.monotonic()
        now = clock.now()
        if channel_store.take_cap_lease(tenant_id, holder, _epoch_ms(now), _epoch_ms(now + LEASE)):
            break
        if taken_at > give_up:
            raise CapContended(f"the frequency-cap lease stayed taken for {WAIT_SECONDS:.0f} s")
        time.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, LONGEST_PAUSE)
    try:
        yield taken_at + WRITE_BY
    finally:
        channel_store.give_back_cap_lease(tenant_id, holder)


def take(
    tenant_id: str, campaign_id: str, run: int, wanted: list[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Take a slot for each `(contact_id, channel)` about to be sent; returns those that are
    capped (to be skipped). Raises CapContended (nothing taken) when the lease could not be
    taken or was held past WRITE_BY."""
    settings = get_settings()
    cap = settings.campaign_frequency_cap
    if cap == 0 or not wanted:
        return set()
    by_contact: dict[str, list[str]] = {}
    for contact_id, channel in wanted:
        by_contact.setdefault(contact_id, []).append(channel)
    capped: set[tuple[str, str]] = set()
    with lease(tenant_id) as write_by:
        now = clock.now()
        window = dt.timedelta(days=settings.campaign_frequency_window_days)
        window_start = clock.iso(now - window)
        mine = keys.frequency_cap_entry(clock.iso(now), campaign_id, run)
        expires_at = int((now + window + dt.timedelta(days=1)).timestamp())
        stored = channel_store.read_caps(tenant_id, list(by_contact))
        writes: list[tuple[str, dict[str, list[str]]]] = []
        for contact_id, channels in by_contact.items():
            record = stored.get(contact_id, CapRecord())
            sends, on = _decide(record, channels, mine, campaign_id, run, window_start, cap)
            capped |= {(contact_id, c) for c in on}
            if sends is not None:
                writes.append((contact_id, sends))
        if time.monotonic() > write_by:
            raise CapContended("the frequency-cap lease was held too long to write under")
        channel_store.put_caps(tenant_id, writes, expires_at)
    return capped
