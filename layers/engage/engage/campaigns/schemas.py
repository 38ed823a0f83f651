"""Campaign wire schemas (seed 004 "Campaigns Page", POST /campaigns body)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Priority = Literal["low", "normal", "high", "urgent"]
ScheduleType = Literal["immediate", "scheduled", "recurring"]
Status = Literal["draft", "scheduled", "sending", "sent", "failed", "cancelled"]


class _CampaignFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    message: str | None = Field(default=None, min_length=1, max_length=1600)
    audience: Any = None
    includeDiscount: bool | None = None
    discountValue: str | None = Field(default=None, max_length=50)
    scheduleType: ScheduleType | None = None
    scheduleAt: dt.datetime | None = None
    recurringDays: int | None = Field(default=None, ge=1, le=365)
    priority: Priority | None = None

    @field_validator("scheduleAt")
    @classmethod
    def _aware(cls, v: dt.datetime | None) -> dt.datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("must include a time zone, e.g. 2025-01-25T10:00:00Z")
        return v


class CampaignCreate(_CampaignFields):
    """POST /campaigns."""

    name: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=1600)
    audience: Any = "all"
    scheduleType: ScheduleType = "immediate"
    priority: Priority = "normal"


class CampaignUpdate(_CampaignFields):
    """PUT /campaigns/{id}: any subset; only while draft or scheduled."""
