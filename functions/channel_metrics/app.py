"""The channel metrics consumer: the bus's rule puts `conversation.created`,
`conversation.updated`, `message.created`, `call.completed` and `video.ended` on an SQS queue;
each record's domain event moves the tenant's per-channel counters, idempotent on the event id
(engage/integrations/consumer.py; the handler: engage/events/consumer.py).
"""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.integrations.consumer import count

handler = worker_handler(bus_consumer(count))
