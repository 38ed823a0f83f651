"""The domain event envelope (DESIGN.md section 5; issue 9 "The event backbone").

Every committed change that others care about becomes one `DomainEvent`
`{id, type, tenant_id, occurred_at, data}`. Events are derived from the table's DynamoDB Stream
(engage/events/derive.py), so an event exists if and only if its change was committed; they
travel on the EventBridge custom bus as `detail` (`source` = SOURCE, `detail-type` = the type),
and consumers chosen by rules dedupe on `id`.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, JsonValue

SOURCE = "engage"
"""The EventBridge `source` of every domain event (rules match on it)."""

_NAMESPACE = uuid.UUID("6f1c3a5e-2b7d-4c1e-9a0f-5d8e7b6a4c3f")


class EventType(StrEnum):
    """The domain events (issue 9 "The event backbone"); the EventBridge `detail-type`."""

    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    MESSAGE_CREATED = "message.created"
    MESSAGE_STATUS_CHANGED = "message.status_changed"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_CONSENT_CHANGED = "contact.consent_changed"
    CAMPAIGN_PROGRESS = "campaign.progress"
    CALL_COMPLETED = "call.completed"
    VIDEO_ENDED = "video.ended"
    # Issue 11 (the omnichannel hub); each is derived where its item is written:
    RATING_RECORDED = "rating.recorded"  # a customer's 1-5 rating of a session (engage/ratings)
    NOTIFICATION_CREATED = "notification.created"  # for one member (engage/notifications)
    CHANNEL_STATUS_FAILED = "channel.status_failed"  # a channel's provider check failed
    CREDITS_LOW = "credits.low"  # the tenant's credit balance fell below the threshold


class DomainEvent(BaseModel):
    """One committed change. `id` is derived from the stream record and the type (`event_id`),
    so a stream batch that is retried yields the same ids; `occurred_at` is ISO 8601 UTC;
    `data` is the event's JSON payload (its shape per type is documented where it is derived)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=64)
    type: EventType
    tenant_id: str = Field(min_length=1, max_length=64)
    occurred_at: str
    data: dict[str, JsonValue]


def event_id(stream_event_id: str, event_type: EventType, index: int = 0) -> str:
    """A deterministic id for the `index`-th event of `event_type` derived from one stream
    record (`eventID` is unique per record in a DynamoDB Stream): UUID5, 36 characters."""
    return str(uuid.uuid5(_NAMESPACE, f"{stream_event_id}/{event_type.value}/{index}"))
