"""The rating-request consumer (issue 11 "Analytics"): the bus's rule puts
`conversation.updated` events of resolved sessions on an SQS queue; each resolution asks the
customer for a 1-5 rating on the session's channel, idempotent on the event id
(engage/ratings/ask.py; the handler: engage/events/consumer.py).
"""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.ratings.ask import ask

handler = worker_handler(bus_consumer(ask))
