"""The notification consumer: the bus's rule puts the events that notify members
(`conversation.created`, `conversation.updated`, `channel.status_failed`,
`campaign.progress`, `credits.low`) on an SQS queue; each record's domain event makes its
members' notifications, idempotent on the event id (engage/notifications/sources.py; the
handler: engage/events/consumer.py).
"""

from engage.core.handlers import worker_handler
from engage.events.consumer import bus_consumer
from engage.notifications.sources import consume

handler = worker_handler(bus_consumer(consume))
