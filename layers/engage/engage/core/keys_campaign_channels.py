"""Key builders and parsers of campaigns on several channels (issue 10 "Campaigns on any
channel"), re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2,
STYLE.md rule 5).

- Message items: an SMS message keeps the key it always had (`message_key`), so SMS-only
  campaigns, the shortener and receipts see no change; a WhatsApp or e-mail message of the
  same recipient and run is a sibling in the same partition with the channel after the
  contact id (`channel_message_sk`): `SK=<run>#<contactId>#<channel>`. One item per
  recipient per channel per run.
- Send-batch claims: part 0 of a page keeps the key it always had (`send_batch_key`); the
  quiet-hours parts (`1`: the page's e-mails sent during quiet hours, `2`: the same page's
  SMS and WhatsApp messages sent after them) add `#<part>` (`send_batch_part_sk`).
- Frequency caps: one item per contact (`T#<t>#FCAP#<shard>`, `SK=<contactId>`), one list
  attribute per channel of `<sentAt ISO>#<campaignId>#<run>` entries; and one lease per
  tenant (`T#<t>#FCAPL`, `SK=LEASE`) that a sender holds while it reads and writes them.
"""

from __future__ import annotations

import re

SMS_CHANNEL = "sms"


def channel_message_sk(message_sk: str, channel: str) -> str:
    """The sort key of one recipient's message on `channel`, from the `message_key` sort key
    of that recipient and run (unchanged for SMS)."""
    return message_sk if channel == SMS_CHANNEL else f"{message_sk}#{channel}"


_MESSAGE_SK = re.compile(r"^\d{4}#[^#]+(?:#([a-z]+))?$")


def channel_of_message_sk(sk: str) -> str:
    """The channel of a message item's sort key (`sms` when it has no channel part);
    ValueError when `sk` is not one."""
    found = _MESSAGE_SK.match(sk)
    if found is None:
        raise ValueError("not a message sort key")
    return found.group(1) or SMS_CHANNEL


def send_batch_part_sk(batch_sk: str, part: int) -> str:
    """The claim sort key of one quiet-hours part of a page's chunk, from its `send_batch_key`
    sort key (unchanged for part 0)."""
    return batch_sk if part == 0 else f"{batch_sk}#{part}"


def frequency_cap_key(tenant_id: str, contact_id: str, shard: int) -> tuple[str, str]:
    """A contact's marketing sends of the last days, per channel (engage.campaigns.caps)."""
    return f"T#{tenant_id}#FCAP#{shard}", contact_id


def frequency_cap_lease_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's frequency-cap lease: held by the one sender deciding caps (caps.take)."""
    return f"T#{tenant_id}#FCAPL", "LEASE"


def frequency_cap_entry(sent_at: str, campaign_id: str, run: int) -> str:
    """One send recorded on a frequency-cap item: `<sentAt ISO>#<campaignId>#<run>`."""
    return f"{sent_at}#{campaign_id}#{run}"


_CAP_ENTRY = re.compile(r"^([^#]+)#([^#]+)#(\d+)$")


def parse_frequency_cap_entry(entry: str) -> tuple[str, str, int]:
    """`(sent_at, campaign_id, run)` of a `frequency_cap_entry`; ValueError otherwise."""
    found = _CAP_ENTRY.match(entry)
    if found is None:
        raise ValueError("not a frequency-cap entry")
    return found.group(1), found.group(2), int(found.group(3))
