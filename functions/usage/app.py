"""The usage consumer: the bus's rule puts `conversation.created`, `message.created` and
`contact.created` on an SQS queue; each record's domain event is counted, idempotent on the
event id (engage/usage/consumer.py; the handler: engage/events/consumer.py).
"""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.usage.consumer import count

handler = worker_handler(bus_consumer(count))
