"""Analytics items (keys: core/keys_analytics.py). Counters are atomic ADDs (absent = 0)."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem

COUNTERS = (
    "sessions",
    "messages",
    "resolved",
    "response_samples",
    "response_seconds",
    "first_response_samples",
    "first_response_seconds",
    "calls",
    "talk_seconds",
    "video_minutes",
    "rating_count",
    "rating_sum",
)
"""The counters of a bucket (AnalyticsBucketItem attribute names)."""


class AnalyticsBucketItem(BaseItem):
    """`PK=T#<t>#ANH|AND`, `SK=<bucket>#<channel>`: one channel's counters of one UTC hour or
    day (consumer.py says what moves each):

    `sessions` conversations started; `messages` messages written on the channel (notes and
    system records excluded); `resolved` sessions started in this bucket that have been
    resolved (once each); `response_samples` / `response_seconds` agent replies to a waiting
    customer and the sum of their waits; `first_response_*` the same for first replies only;
    `calls` / `talk_seconds` voice calls ended and their talk time; `video_minutes` minutes of
    video sessions ended; `rating_count` / `rating_sum` satisfaction ratings (1-5) and their
    sum. `expires_at` (epoch seconds) lets DynamoDB's TTL drop buckets past their retention."""

    sessions = NumberAttribute(default=0)
    messages = NumberAttribute(default=0)
    resolved = NumberAttribute(default=0)
    response_samples = NumberAttribute(default=0, attr_name="responseSamples")
    response_seconds = NumberAttribute(default=0, attr_name="responseSeconds")
    first_response_samples = NumberAttribute(default=0, attr_name="firstResponseSamples")
    first_response_seconds = NumberAttribute(default=0, attr_name="firstResponseSeconds")
    calls = NumberAttribute(default=0)
    talk_seconds = NumberAttribute(default=0, attr_name="talkSeconds")
    video_minutes = NumberAttribute(default=0, attr_name="videoMinutes")
    rating_count = NumberAttribute(default=0, attr_name="ratingCount")
    rating_sum = NumberAttribute(default=0, attr_name="ratingSum")


class AnalyticsConversationItem(BaseItem):
    """`PK=T#<t>#ANC#<conversationId>`, `SK=CONV`: what the counters remember of one
    conversation.

    `awaiting_since` (ISO 8601): the oldest customer message no agent has replied to yet
    (absent when none waits); `replied_at`: the latest agent reply counted; `reply_event` /
    `reply_seconds`: the event id of the reply that last ended a wait and the wait it measured
    (a retry of that event reuses it); `resolved_event` / `resolved_at`: the event of the
    conversation's first resolution (it is counted once)."""

    awaiting_since = UnicodeAttribute(null=True, attr_name="awaitingSince")
    replied_at = UnicodeAttribute(null=True, attr_name="repliedAt")
    reply_event = UnicodeAttribute(null=True, attr_name="replyEvent")
    reply_seconds = NumberAttribute(null=True, attr_name="replySeconds")
    resolved_event = UnicodeAttribute(null=True, attr_name="resolvedEvent")
    resolved_at = UnicodeAttribute(null=True, attr_name="resolvedAt")
