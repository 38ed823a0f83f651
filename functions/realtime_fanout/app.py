"""The realtime fan-out consumer: the bus's rule puts the events sockets care about on an SQS
queue; each record's domain event is pushed to the sockets allowed to see it, idempotent on
the event id (engage/realtime/fanout.py; the handler: engage/events/consumer.py).
"""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.realtime.fanout import deliver

handler = worker_handler(bus_consumer(deliver))
