"""The realtime fan-out: domain events from the bus -> frames on the sockets that may see them
(issue 9 "Realtime"; DESIGN.md section 5: a consumer chosen by a rule, idempotent on the id).

Who gets which frame is views.py's table: the tenant's team members' sockets get every
conversation, message and campaign-progress event of their tenant (no join needed: the inbox
is live); an end user's sockets get the events of their own conversations (by the event's
`contact_id`), never an internal note (`private: true`) and never another tenant's (every
socket is found under the event's own tenant). A socket found gone (410) is forgotten at once.
Before pushing, the standing of every found socket is read again (standing.py): a socket of a
member deactivated or removed since it connected, or of an end user whose API key was revoked,
is closed and forgotten instead, so it gets nothing more (issue 9 "Roles", "Keys"). A
notification (`notification:new`, issue 11) goes to the sockets of the member it is for only.

AWS requests per event: one conditional put claiming the event id (`events/seen.py`: an event
delivered again after a retry is not pushed again), one Query per audience (the team's sockets;
the end user's sockets, when the event concerns them), one BatchGetItem of the distinct
members' user items and API key items of all those sockets together (none when there are no
sockets) and one PostToConnection per socket: 4 DynamoDB requests at most.
"""

from __future__ import annotations

from typing import Any

from engage.core import clock
from engage.events import seen
from engage.events.envelope import DomainEvent
from engage.realtime import push, standing, store
from engage.realtime.frames import frame
from engage.realtime.views import audiences

CONSUMER = "realtime"


def deliver(event: DomainEvent) -> int:
    """Push `event` to the sockets allowed to see it; returns how many frames were sent."""
    found = audiences(event)
    if found is None or not seen.claim(CONSUMER, event.id):
        return 0
    now = int(clock.now().timestamp())
    team = store.agent_connections(event.tenant_id, now)
    if found.member_id is not None:  # for one member: their sockets only
        team = [s for s in team if s.member_id == found.member_id]
    mine: list[store.Socket] = []
    if found.contact_id is not None and found.end_user is not None:
        mine = store.end_user_connections(event.tenant_id, found.contact_id, now)
    allowed = set(standing.keep(event.tenant_id, [*team, *mine]))
    young = {s.connection_id for s in [*team, *mine] if store.connecting(s, now)}
    ids = [s.connection_id for s in team if s.connection_id in allowed]
    sent = _push(ids, frame(found.name, found.team), young)
    if found.end_user is not None:
        ids = [s.connection_id for s in mine if s.connection_id in allowed]
        sent += _push(ids, frame(found.name, found.end_user), young)
    return sent


def _push(connection_ids: list[str], data: dict[str, Any], young: set[str]) -> int:
    """Post `data` to each socket; a socket found gone (410) is forgotten, unless it was
    recorded moments ago and may still be connecting (`store.connecting`)."""
    gone = push.send_all(connection_ids, data)
    for connection_id in gone:
        if connection_id not in young:
            store.delete_connection(connection_id)
    return len(connection_ids) - len(gone)
