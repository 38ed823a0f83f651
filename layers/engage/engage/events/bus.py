"""The port to the EventBridge custom bus (DESIGN.md section 5).

`publish` sends domain events as PutEvents entries (`Source` "engage", `DetailType` the event
type, `Detail` the whole envelope as JSON, `Time` the event's time), ten per request (the
PutEvents limit per request is 10 entries, Amazon EventBridge API reference).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from engage.core.aws import client
from engage.core.settings import get_settings
from engage.events.envelope import SOURCE, DomainEvent

ENTRIES_PER_REQUEST = 10


class PublishFailed(RuntimeError):
    """EventBridge refused some entries (`FailedEntryCount` > 0); the caller retries them."""


def publish(events: Sequence[DomainEvent]) -> None:
    """PutEvents for `events` on EVENT_BUS_NAME; raises PublishFailed if any entry failed."""
    bus = get_settings().event_bus_name
    events_client = client("events")
    for i in range(0, len(events), ENTRIES_PER_REQUEST):
        chunk = events[i : i + ENTRIES_PER_REQUEST]
        entries = [
            {
                "Source": SOURCE,
                "DetailType": e.type.value,
                "Detail": e.model_dump_json(),
                "EventBusName": bus,
                "Time": dt.datetime.fromisoformat(e.occurred_at.replace("Z", "+00:00")),
            }
            for e in chunk
        ]
        result = events_client.put_events(Entries=entries)
        if result.get("FailedEntryCount"):
            codes = sorted({str(r.get("ErrorCode")) for r in result["Entries"] if "ErrorCode" in r})
            raise PublishFailed(f"EventBridge refused {result['FailedEntryCount']} events: {codes}")
