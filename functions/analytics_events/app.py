"""The analytics consumer: the bus's rule puts `conversation.created`, `conversation.updated`,
`message.created`, `call.completed`, `video.ended` and `rating.recorded` on an SQS queue; each
record's domain event moves the tenant's hourly and daily counters, idempotent on the event id
(engage/analytics/consumer.py; the handler: engage/events/consumer.py).
"""

from engage.analytics.consumer import count
from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer

handler = worker_handler(bus_consumer(count))
