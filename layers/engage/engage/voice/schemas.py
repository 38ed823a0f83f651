"""Request bodies of the voice group (seed 002; snake_case fields). Server-owned fields
(status, counters, tenant) are not accepted: unknown fields are a 400."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class CallWindow(_Body):
    """When calls may be placed, in the account's time zone (issue 3, "upload-csv")."""

    first_call_time: str | None = Field(default=None, examples=["09:00"])
    last_call_time: str | None = Field(default=None, examples=["18:00"])
    start_date: str | None = Field(default=None, examples=["2025-10-15"])
    end_date: str | None = Field(default=None, examples=["2025-10-30"])
    max_attempts: int | None = Field(default=None, ge=1, le=10)
    retry_delay_minutes: int | None = Field(default=None, ge=0, le=7 * 24 * 60)

    @field_validator("first_call_time", "last_call_time")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM.match(value):
            raise ValueError("must be a time of day as HH:MM (24-hour), such as 09:00")
        return value

    @field_validator("start_date", "end_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError("must be a date as YYYY-MM-DD") from None
            if len(value) != 10:
                raise ValueError("must be a date as YYYY-MM-DD")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> CallWindow:
        if (
            self.first_call_time
            and self.last_call_time
            and self.first_call_time >= self.last_call_time
        ):
            raise ValueError("first_call_time must be earlier than last_call_time")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        return self


class CampaignFields(CallWindow):
    """Fields a client may set on a voice campaign. `name` and `campaign_name` are synonyms
    (seed 002 uses `campaign_name` for uploads)."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    campaign_name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    agent_id: str | None = Field(default=None, max_length=200)
    next_action: str | None = Field(default=None, max_length=500)

    @property
    def title(self) -> str | None:
        """The campaign's name, whichever field carried it."""
        return self.campaign_name or self.name


class CampaignCreate(CampaignFields):
    """`POST /api/campaigns`: a campaign over existing contacts (`contact_ids`)."""

    contact_ids: list[str] = Field(default_factory=list, max_length=100_000)

    @model_validator(mode="after")
    def _named(self) -> CampaignCreate:
        if not self.title:
            raise ValueError("campaign_name (or name) is required")
        return self


class CampaignUpdate(CampaignFields):
    """`PUT /api/campaigns/{id}`: any subset of the fields."""


class CsvRow(BaseModel):
    """One row of `csv_data` (seed 002 "CSV Upload Endpoint Details"). Validated per row by the
    service so that a bad row is counted and reported, not a 400 for the whole upload."""

    model_config = ConfigDict(extra="allow")

    name: Any = None
    phone_number: Any = None
    email: Any = None
    company: Any = None
    notes: Any = None


class CampaignUpload(CampaignFields):
    """`POST /api/campaigns/upload-csv`."""

    csv_data: list[CsvRow] = Field(min_length=1, max_length=50_000)

    @model_validator(mode="after")
    def _named(self) -> CampaignUpload:
        if not self.title:
            raise ValueError("campaign_name is required")
        return self
