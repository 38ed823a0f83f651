"""The assignment consumer: the bus's rule puts `conversation.created` and
`conversation.updated` on an SQS queue; each record's domain event routes a new or
transferred session by the rules, or releases and refills agents' slots when a session
resolves, snoozes, is unassigned or reassigned (engage/routing/consumer.py; the handler:
engage/events/consumer.py). Idempotent on the event id."""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.routing.consumer import consume

handler = worker_handler(bus_consumer(consume))
