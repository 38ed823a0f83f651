"""The realtime fan-out: domain events from the bus -> frames on the sockets that may see them
(issue 9 "Realtime"; DESIGN.md section 5: a consumer chosen by a rule, idempotent on the id).

`campaign.progress` goes to every team member's socket of the event's tenant, as
`campaign:progress`. A socket found gone (410) is forgotten at once. An event already
delivered (the same id, after a retry) is not pushed again: the first delivery claims the
event id with one conditional write (`events/seen.py`).
"""

from __future__ import annotations

from engage.core import clock
from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.realtime import push, store
from engage.realtime.frames import frame

CONSUMER = "realtime"
FRAME_NAMES = {EventType.CAMPAIGN_PROGRESS: "campaign:progress"}


def deliver(event: DomainEvent) -> int:
    """Push `event` to the sockets allowed to see it; returns how many frames were sent."""
    name = FRAME_NAMES.get(event.type)
    if name is None or not seen.claim(CONSUMER, event.id):
        return 0
    now = int(clock.now().timestamp())
    targets = store.agent_connections(event.tenant_id, now)
    data = {**event.data, "event_id": event.id, "occurred_at": event.occurred_at}
    sent = 0
    for connection_id in targets:
        if push.send(connection_id, frame(name, data)):
            sent += 1
        else:
            store.delete_connection(connection_id)
    return sent
