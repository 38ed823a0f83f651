"""Response schemas of the voice group: seed 002's exact shapes (`{"success": true, ...}` with
the seed's keys, snake_case). Routes declare them, so `/openapi.json` describes every success
body; FastAPI filters each returned dict through its model. Names carry `Voice` because the
local runtime merges every group into one OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engage.core.schemas import PublicModel
from engage.voice.callbacks import VoiceCallbackResult
from engage.voice.models import (
    VoiceCallOutcome,
    VoiceCampaignSource,
    VoiceCampaignStatus,
    VoiceQueueStatus,
)


class VoiceQueueCounts(PublicModel):
    """Queue items per status; they add up to the campaign's `total_contacts`."""

    queued: int
    in_progress: int
    completed: int
    failed: int
    cancelled: int


class VoiceCampaignPublic(PublicModel):
    """A voice campaign. `name` and `campaign_name` carry the same value. Times are ISO 8601
    UTC; the call window (`first_call_time`-`last_call_time`, `start_date`-`end_date`) is in
    the account's time zone. `outside_call_window` is true while an `active` campaign may not
    call (before its window opens, after the day's window, before its start date, after its
    end date), and `next_call_at` is then when it next may (null when it may call now, is not
    active, or will not call again)."""

    id: str
    name: str
    campaign_name: str
    description: str | None
    agent_id: str | None
    next_action: str | None
    first_call_time: str | None = Field(examples=["09:00"])
    last_call_time: str | None = Field(examples=["18:00"])
    start_date: str | None = Field(examples=["2025-10-15"])
    end_date: str | None = Field(examples=["2025-10-30"])
    status: VoiceCampaignStatus
    source: VoiceCampaignSource
    max_attempts: int
    retry_delay_minutes: int
    total_contacts: int
    queue_counts: VoiceQueueCounts
    outside_call_window: bool
    next_call_at: str | None = Field(examples=["2025-10-16T13:00:00.000Z"])
    created_at: str
    updated_at: str
    started_at: str | None
    paused_at: str | None
    completed_at: str | None
    cancelled_at: str | None


class VoiceCallLogEntry(PublicModel):
    """One call placed for a queue item."""

    attempt: int
    call_sid: str | None
    status: str = Field(description="the provider's final call status, e.g. `completed`, `busy`")
    outcome: VoiceCallOutcome
    answered_by: str | None
    talk_seconds: int
    started_at: str | None
    ended_at: str | None


class VoiceQueueItemPublic(PublicModel):
    """A call-queue item: one contact of a campaign, with its call log. `id` is
    `<campaignId>-<seq:06d>`; `call_status` is the provider's latest status of the current
    attempt (`starting`, `dialing`, `initiated`, `ringing`, `in-progress`, ...)."""

    id: str
    campaign_id: str
    contact_id: str
    name: str | None
    phone_number: str
    email: str | None
    company: str | None
    notes: str | None
    status: VoiceQueueStatus
    attempts: int
    next_attempt_at: str | None
    last_outcome: VoiceCallOutcome | None
    reason: str | None
    call_sid: str | None
    call_status: str | None
    talk_seconds: int
    calls: list[VoiceCallLogEntry]
    created_at: str
    updated_at: str
    started_at: str | None
    ended_at: str | None


class VoicePagination(PublicModel):
    """Pagination of the voice lists."""

    page: int
    limit: int
    total: int
    total_pages: int


class VoiceUploadStats(PublicModel):
    """Seed 002's upload statistics: `valid_contacts` (rows that passed validation) =
    `contacts_created` + `contacts_skipped`; `total_rows` = `valid_contacts` + `errors`;
    `calls_queued` is the number of distinct contacts queued for a call."""

    total_rows: int
    valid_contacts: int
    contacts_created: int
    contacts_skipped: int
    errors: int
    calls_queued: int


class VoiceInvalidRow(PublicModel):
    """A rejected CSV row (1-based `row`) and why, per field."""

    row: int
    phone_number: str | None
    errors: dict[str, str]


class VoiceCampaignSummary(PublicModel):
    """How many campaigns are in each status."""

    draft: int
    active: int
    paused: int
    completed: int
    cancelled: int
    total: int


class VoiceCallTally(PublicModel):
    """Call outcomes over the calls placed; talk times in seconds."""

    calls_placed: int
    answered: int
    voicemail: int
    no_answer: int
    busy: int
    failed: int
    answer_rate: float = Field(description="answered / placed, 0-1")
    total_talk_seconds: int
    average_talk_seconds: float = Field(description="per connected call (answered or voicemail)")


class VoiceCampaignStatistics(VoiceCallTally):
    """A campaign's queue counts (adding up to `total_items`) and call tallies."""

    campaign_id: str
    status: VoiceCampaignStatus
    total_items: int
    queue: VoiceQueueCounts


class VoiceDayTally(VoiceCallTally):
    """The call tallies of one day (the account's time zone)."""

    date: str


class VoiceHourTally(VoiceCallTally):
    """The call tallies of one hour of day, 0-23 (the account's time zone)."""

    hour: int


class VoiceCampaignAnalytics(PublicModel):
    """Call tallies per day and hour of day, and how many attempts each contact took."""

    campaign_id: str
    timezone: str
    totals: VoiceCallTally
    by_day: list[VoiceDayTally]
    by_hour: list[VoiceHourTally]
    attempts_per_contact: dict[str, int]


class VoiceConcurrencySettings(PublicModel):
    """Seed 002 "GET /api/settings/concurrency" settings, exactly."""

    user_concurrent_calls_limit: int
    user_active_calls: int
    user_available_slots: int
    system_concurrent_calls_limit: int
    system_active_calls: int
    system_available_slots: int


class VoiceQueueStatistics(VoiceQueueCounts, VoiceConcurrencySettings):
    """The account's queue by status and its active calls against both limits."""

    total: int


# -- envelopes ---------------------------------------------------------------------------------
class _Success(PublicModel):
    success: Literal[True] = True


class VoiceCampaignResponse(_Success):
    """`{"success": true, "campaign"}`."""

    campaign: VoiceCampaignPublic


class VoiceCampaignMessageResponse(VoiceCampaignResponse):
    """`{"success": true, "message", "campaign"}`."""

    message: str


class VoiceUploadResponse(VoiceCampaignResponse):
    """Seed 002 "CSV Upload Endpoint Details" response, plus `invalid_rows`."""

    stats: VoiceUploadStats
    skipped_phones: list[str] = Field(description="numbers of valid rows that created no contact")
    invalid_rows: list[VoiceInvalidRow]


class VoiceCampaignListResponse(_Success):
    """`{"success": true, "campaigns", "pagination"}`."""

    campaigns: list[VoiceCampaignPublic]
    pagination: VoicePagination


class VoiceSummaryResponse(_Success):
    """`{"success": true, "summary"}`."""

    summary: VoiceCampaignSummary


class VoiceMessageResponse(_Success):
    """`{"success": true, "message"}`."""

    message: str


class VoiceCancelResponse(VoiceCampaignMessageResponse):
    """A cancel: `cancelled_items` by this request, `pending_cancellation` left to the tick."""

    cancelled_items: int
    pending_cancellation: int


class VoiceStatisticsResponse(_Success):
    """`{"success": true, "statistics"}`."""

    statistics: VoiceCampaignStatistics


class VoiceAnalyticsResponse(_Success):
    """`{"success": true, "analytics"}`."""

    analytics: VoiceCampaignAnalytics


class VoiceQueueListResponse(_Success):
    """`{"success": true, "queue", "pagination"}`."""

    queue: list[VoiceQueueItemPublic]
    pagination: VoicePagination


class VoiceCampaignQueueResponse(VoiceQueueListResponse):
    """`{"success": true, "campaign_id", "queue", "pagination"}`."""

    campaign_id: str


class VoiceQueueItemResponse(_Success):
    """`{"success": true, "queue_item"}`."""

    queue_item: VoiceQueueItemPublic


class VoiceQueueItemMessageResponse(VoiceQueueItemResponse):
    """`{"success": true, "message", "queue_item"}`."""

    message: str


class VoiceQueueStatisticsResponse(_Success):
    """`{"success": true, "statistics"}`."""

    statistics: VoiceQueueStatistics


class VoiceConcurrencyResponse(_Success):
    """Seed 002 `GET /api/settings/concurrency`: `{"success": true, "settings"}`."""

    settings: VoiceConcurrencySettings


class VoiceConcurrencyUpdated(_Success):
    """Seed 002 `PUT /api/settings/concurrency` response."""

    message: str
    concurrent_calls_limit: int


class VoiceCallbackResponse(_Success):
    """`{"success": true, "data"}` of the call-status webhook."""

    data: VoiceCallbackResult
