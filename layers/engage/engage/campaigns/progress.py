"""`campaign.progress` events, derived from the table's stream (engage/events/derive.py) for
seed 000's live delivery status.

Two kinds of item move a campaign forward:
- the campaign item (`T#<tenantId>#CAMP`): a MODIFY that changes its status or a send-side
  counter gives `{campaign_id, kind: "send", status, run, recipients, queued, sent, failed,
  skipped}` (totals of the current run, as stored);
- a receipt counter shard (`T#<tenantId>#CCNT#<campaignId>#<shard>`): a change of `delivered`,
  `undelivered` or `clicks` gives `{campaign_id, kind: "receipts", delta: {field: n}}`: the
  counters are sharded, so each event carries what this write added, and a dashboard adds the
  deltas to the totals it read from `GET /campaigns/{id}/stats`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import JsonValue

from engage.core import keys
from engage.events.derive import Derived, StreamChange, iso
from engage.events.envelope import EventType

_SEND = {
    "status": "status",
    "run": "run",
    "recipients": "recipientCount",
    "queued": "queuedCount",
    "sent": "sentCount",
    "failed": "failedCount",
    "skipped": "skippedCount",
}
_RECEIPTS = ("delivered", "undelivered", "clicks")


def _number(value: Any) -> int:
    return int(value) if isinstance(value, (int, Decimal)) else 0


def derive_campaign_progress(change: StreamChange) -> list[Derived]:
    """The `campaign.progress` event of `change`, if it is one (see the module docstring)."""
    new, old = change.new, change.old or {}
    if new is None:
        return []
    at = iso(change.at)
    try:
        tenant_id = keys.parse_campaign_partition(change.pk)
    except ValueError:
        pass
    else:
        if not any(new.get(attr) != old.get(attr) for attr in _SEND.values()) or not old:
            return []
        data: dict[str, JsonValue] = {"campaign_id": str(new.get("SK")), "kind": "send"}
        for name, attr in _SEND.items():
            value = new.get(attr)
            data[name] = value if isinstance(value, str) else _number(value)
        return [Derived(EventType.CAMPAIGN_PROGRESS, tenant_id, at, data)]
    try:
        tenant_id, campaign_id, _ = keys.parse_counter_partition(change.pk)
    except ValueError:
        return []
    delta = {f: _number(new.get(f)) - _number(old.get(f)) for f in _RECEIPTS}
    delta = {f: n for f, n in delta.items() if n}
    if not delta:
        return []
    data = {"campaign_id": campaign_id, "kind": "receipts", "delta": dict(delta)}
    return [Derived(EventType.CAMPAIGN_PROGRESS, tenant_id, at, data)]
