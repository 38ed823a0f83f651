"""SMS campaign wire schemas (seed 004 "Campaigns Page", "Campaign Audience Format", "Campaign
Meta Fields"; seed 000 sections 4 and 7). Names carry the `Sms` prefix: the voice group has its
own campaigns and the local runtime merges every group into one OpenAPI document."""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from engage.campaigns.channel_schemas import CampaignChannel, SmsChannelCounts
from engage.core.schemas import PublicModel, RequestModel

SEGMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
SEGMENT_ID_RULE = "a segment id is 1-64 letters, digits, '_' or '-'"


class SmsCampaignStatus(enum.StrEnum):
    """Campaign status: `draft` (immediate, not sent yet), `scheduled` (waiting for its
    schedule; a recurring campaign returns here after each run), `sending`, `sent`, `failed`
    (a scheduled run could not start, or dispatch broke before queueing anyone), `cancelled`."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class SmsMessageStatus(enum.StrEnum):
    """A recipient's message: queued -> sending -> sent | failed | skipped, then sent ->
    delivered | undelivered on a delivery receipt."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"


class SmsEnqueueStatus(enum.StrEnum):
    """What `POST /campaigns/{id}/enqueue` did."""

    QUEUED = "queued"


Priority = Literal["low", "normal", "high", "urgent"]
ScheduleType = Literal["immediate", "scheduled", "recurring"]
Status = SmsCampaignStatus  # the name the routes used before


def _segment_id_ok(value: str | None) -> str | None:
    if value is not None and not SEGMENT_ID.match(value):
        raise ValueError(SEGMENT_ID_RULE)
    return value


class SmsAudience(RequestModel):
    """`{"type": "all"}` or `{"type": "segment", "segmentId": "<id>"}` (seed 004)."""

    type: Literal["all", "segment"]
    segmentId: str | None = Field(default=None, max_length=64)

    @field_validator("segmentId")
    @classmethod
    def _segment(cls, v: str | None) -> str | None:
        return _segment_id_ok(v)


def _audience_string(v: str | SmsAudience | None) -> str | SmsAudience | None:
    """`"segment:<id>"` must name a well-formed id; other strings are checked by the service."""
    if isinstance(v, str) and v.strip().startswith("segment:"):
        _segment_id_ok(v.strip().split(":", 1)[1])
    return v


class _SmsCampaignFields(RequestModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    message: str | None = Field(default=None, min_length=1, max_length=1600)
    audience: str | SmsAudience | None = Field(
        default=None,
        description='"all", "men", "women", "segment:<id>", {"type": "all"} or '
        '{"type": "segment", "segmentId": "<id>"}',
    )
    includeDiscount: bool | None = None
    discountValue: str | None = Field(default=None, max_length=50)
    scheduleType: ScheduleType | None = None
    scheduleAt: dt.datetime | None = None
    recurringDays: int | None = Field(default=None, ge=1, le=365)
    priority: Priority | None = None

    @field_validator("audience")
    @classmethod
    def _audience(cls, v: str | SmsAudience | None) -> str | SmsAudience | None:
        return _audience_string(v)

    @field_validator("scheduleAt")
    @classmethod
    def _aware(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("must include a time zone, e.g. 2025-01-25T10:00:00Z")
        return v

    def audience_raw(self) -> str | dict[str, str | None] | None:
        """The audience as `parse_audience` takes it (string or dict)."""
        if isinstance(self.audience, SmsAudience):
            return self.audience.model_dump(exclude_unset=True)
        return self.audience


class SmsCampaignCreate(_SmsCampaignFields):
    """POST /campaigns."""

    name: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=1600)
    audience: str | SmsAudience = "all"
    scheduleType: ScheduleType = "immediate"
    priority: Priority = "normal"


class SmsCampaignUpdate(_SmsCampaignFields):
    """PUT /campaigns/{id}: any subset; only while draft or scheduled."""


class SmsEnqueueRequest(RequestModel):
    """Optional body of `POST /campaigns/{id}/enqueue`. Nothing is required; a `note` is kept
    only as part of the Idempotency-Key payload (the same key with another body is a 409)."""

    note: str | None = Field(default=None, max_length=500)


# Names used before the Sms prefix (kept for importers).
CampaignCreate = SmsCampaignCreate
CampaignUpdate = SmsCampaignUpdate


# --- responses -------------------------------------------------------------------------------


class SmsAudienceAllPublic(PublicModel):
    """The stored audience `{"type": "all"}`: every opted-in contact."""

    type: Literal["all"]


class SmsAudienceSegmentPublic(PublicModel):
    """The stored audience `{"type": "segment", "segmentId"}`: the segment's opted-in members."""

    type: Literal["segment"]
    segmentId: str


SmsAudiencePublic = Annotated[
    SmsAudienceAllPublic | SmsAudienceSegmentPublic, Field(discriminator="type")
]


class SmsCampaignMeta(PublicModel):
    """Seed 004 "Campaign Meta Fields"."""

    includeDiscount: bool = False
    discountValue: str | None = None


class CampaignAttributionFields(PublicModel):
    """What a campaign brought back (issue 10 "Attribution"; engage/attribution): beside the
    counts of `SmsCampaignPublic` and `SmsCampaignStats`."""

    responses: int = Field(
        default=0, description="recipients who wrote back within the attribution window"
    )
    conversions: int = Field(default=0, description="Shopify orders attributed to a click")
    revenue: dict[str, str] = Field(
        default_factory=dict,
        description="revenue of the conversions: currency (ISO 4217) -> decimal string",
    )


class SmsCampaignPublic(CampaignAttributionFields):
    """One campaign (seed 004 list item plus the full campaign and its counters)."""

    id: str
    name: str
    message: str
    audience: SmsAudiencePublic
    meta: SmsCampaignMeta
    includeDiscount: bool
    discountValue: str | None = None
    scheduleType: ScheduleType
    scheduleAt: str | None = Field(default=None, description="ISO 8601 UTC")
    scheduledAt: str | None = Field(default=None, description="alias of scheduleAt")
    recurringDays: int | None = None
    priority: Priority
    status: SmsCampaignStatus
    links: list[str] = Field(description="the original URLs, rewritten to short links on send")
    recipientCount: int
    sentCount: int
    deliveredCount: int
    failedCount: int = Field(description="failed to send plus undelivered")
    skippedCount: int
    clickCount: int
    creditsDebited: int = Field(description="credits debited minus refunded")
    failureReason: str | None = None
    createdAt: str
    updatedAt: str
    enqueuedAt: str | None = None
    completedAt: str | None = None


class SmsCampaignDeleted(PublicModel):
    """`{"id", "deleted": true}`."""

    id: str
    deleted: Literal[True] = True


class SmsCampaignByStatus(PublicModel):
    """Message counts by status."""

    queued: int
    sent: int
    delivered: int
    undelivered: int
    failed: int
    skipped: int


class SmsCampaignCredits(PublicModel):
    """Credits of the campaign: debited at enqueue, refunded for what was not sent."""

    debited: int
    refunded: int
    used: int


class SmsCampaignStats(CampaignAttributionFields):
    """`GET /campaigns/{id}/stats`."""

    campaignId: str
    status: SmsCampaignStatus
    recipientCount: int
    byStatus: SmsCampaignByStatus = Field(description="SMS messages by status")
    channels: dict[CampaignChannel, SmsChannelCounts] = Field(
        default_factory=dict,
        description="messages by status on each of the campaign's channels (issue 10)",
    )
    sentCount: int
    deliveredCount: int
    failedCount: int
    deliveryRate: float = Field(description="percent of sent, one decimal")
    clicks: int
    clickRate: float = Field(description="percent of delivered, one decimal")
    credits: SmsCampaignCredits


class SmsEnqueueResult(PublicModel):
    """`POST /campaigns/{id}/enqueue` (seed 004)."""

    status: SmsEnqueueStatus
    queuedRecipients: int
    creditsDebited: int
