"""The session calls consumer (issue 11; engage/hub/call_events.py): the bus's rule puts the
`call.completed` events of the hub's session calls on an SQS queue; each is recorded as a
system message in the session the call served, once per event."""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.hub.call_events import record_call

handler = worker_handler(bus_consumer(record_call))
