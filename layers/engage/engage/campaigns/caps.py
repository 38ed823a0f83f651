"""The per-contact frequency cap (issue 10 "Consent is per channel"): a contact gets at most
CAMPAIGN_FREQUENCY_CAP marketing messages per channel in any rolling
CAMPAIGN_FREQUENCY_WINDOW_DAYS days, across all campaigns (0: no cap).

The sender takes the slots of a batch's messages before it sends them (`take`): one read of
the batch's contacts' cap items, then, per contact with something to record, one conditional
write of that contact's item (all its channels at once; a conflict re-reads that one item and
decides again). A send is recorded as `<sentAt>#<campaignId>#<run>`, so a takeover of a
batch, or a redelivered page, finds its own entry and neither counts it twice nor caps it.
A slot is taken before the message goes out: a message the provider then refuses still counts
(the cap errs on the side of fewer messages).
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from engage.campaigns import channel_store
from engage.campaigns.channel_store import CapRecord
from engage.core import clock, keys
from engage.core.settings import get_settings

WRITERS = 4  # concurrent conditional writes of one batch
ATTEMPTS = 8  # re-reads of one contact's item before giving up (the batch is retried)


class CapContended(RuntimeError):
    """A contact's cap item kept changing under us (the SQS message is retried)."""


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


def take(
    tenant_id: str, campaign_id: str, run: int, wanted: list[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Take a slot for each `(contact_id, channel)` about to be sent; returns those that are
    capped (to be skipped). Raises CapContended when an item changed ATTEMPTS times."""
    settings = get_settings()
    cap = settings.campaign_frequency_cap
    if cap == 0 or not wanted:
        return set()
    now = clock.now()
    window = dt.timedelta(days=settings.campaign_frequency_window_days)
    window_start = clock.iso(now - window)
    mine = keys.frequency_cap_entry(clock.iso(now), campaign_id, run)
    expires_at = int((now + window + dt.timedelta(days=1)).timestamp())
    by_contact: dict[str, list[str]] = {}
    for contact_id, channel in wanted:
        by_contact.setdefault(contact_id, []).append(channel)
    stored = channel_store.read_caps(tenant_id, list(by_contact))

    def one(contact_id: str) -> set[tuple[str, str]]:
        record = stored.get(contact_id, CapRecord())
        for _ in range(ATTEMPTS):
            channels = by_contact[contact_id]
            sends, capped = _decide(record, channels, mine, campaign_id, run, window_start, cap)
            if sends is None or channel_store.put_cap(
                tenant_id, contact_id, record.version, sends, expires_at
            ):
                return {(contact_id, c) for c in capped}
            record = channel_store.read_cap(tenant_id, contact_id)
        raise CapContended(f"frequency cap of a contact changed {ATTEMPTS} times")

    if len(by_contact) == 1:
        return one(next(iter(by_contact)))
    with ThreadPoolExecutor(max_workers=min(WRITERS, len(by_contact))) as pool:
        return set().union(*pool.map(one, by_contact))
