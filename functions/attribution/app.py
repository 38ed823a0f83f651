"""The attribution consumer: the bus's rule puts customers' `message.created` events
(`sender == "user"`) on an SQS queue; each one is counted as a response to the campaigns that
reached its contact within the window (engage/attribution/responses.py; the handler:
engage/events/consumer.py).
"""

from engage.attribution.responses import on_message_created
from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer

handler = worker_handler(bus_consumer(on_message_created))
