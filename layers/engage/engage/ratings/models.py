"""Rating and rating-request items (issue 11 "Analytics": customer satisfaction collected for
real). Both live in the session's rating partition (`core.keys.rating_partition`).

- `RatingItem` (`SK=RATING`): the customer's one rating of the session, written once with a
  conditional put, so a session is never rated twice; its stream INSERT becomes
  `rating.recorded` (ratings/events.py).
- `RatingRequestItem` (`SK=ASK`): the customer was asked and has not answered yet; expires
  RATING_REPLY_WINDOW_HOURS after the question (`expiresAt`, the table's TTL; readers check
  the time too, since DynamoDB deletes expired items lazily).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class RatingItem(BaseItem):
    """`PK=T#<t>#RATING#<sessionId>`, `SK=RATING`. `score` 1-5; `agent_id` the session's
    assignee when it resolved (else when rated; null: nobody); `source` how it came
    (`RatingSource`); `recorded_by` the member who recorded it from the console, else null."""

    rating_id = UnicodeAttribute(attr_name="ratingId")
    contact_id = UnicodeAttribute(attr_name="contactId")
    channel = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    score = NumberAttribute()
    comment = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    recorded_by = UnicodeAttribute(null=True, attr_name="recordedBy")
    created_at = UnicodeAttribute(attr_name="createdAt")


class RatingRequestItem(BaseItem):
    """`PK=T#<t>#RATING#<sessionId>`, `SK=ASK`: the session awaits the customer's rating on
    `channel` since `asked_at`, for the resolution event `event_id`; `agent_id` the assignee
    at that resolution. `expires_at` (epoch seconds) ends the wait."""

    contact_id = UnicodeAttribute(attr_name="contactId")
    channel = UnicodeAttribute()
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    event_id = UnicodeAttribute(attr_name="eventId")
    asked_at = UnicodeAttribute(attr_name="askedAt")
