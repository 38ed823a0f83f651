"""Request bodies of the voice group (seed 002; snake_case fields). Server-owned fields
(status, counters, tenant) are not accepted: unknown fields are a 400, except in CSV rows,
whose extra columns are ignored (a CSV carries whatever columns its author exported). Every
text field must be valid Unicode text (a lone surrogate such as "\\ud800" is refused)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from engage.core.errors import ValidationFailed
from engage.core.schemas import RequestModel

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
LIMIT_MIN, LIMIT_MAX = 1, 10


def is_text(value: str) -> bool:
    """Whether `value` is valid Unicode text (encodable as UTF-8: no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: str) -> str:
    if not is_text(value):
        raise ValueError("must be valid Unicode text")
    return value


Text = Annotated[str, AfterValidator(_text)]


class _Body(RequestModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class VoiceCallWindow(_Body):
    """When calls may be placed, in the account's time zone (issue 3, "upload-csv")."""

    first_call_time: Text | None = Field(default=None, examples=["09:00"])
    last_call_time: Text | None = Field(default=None, examples=["18:00"])
    start_date: Text | None = Field(default=None, examples=["2025-10-15"])
    end_date: Text | None = Field(default=None, examples=["2025-10-30"])
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
    def _ordered(self) -> VoiceCallWindow:
        if (
            self.first_call_time
            and self.last_call_time
            and self.first_call_time >= self.last_call_time
        ):
            raise ValueError("first_call_time must be earlier than last_call_time")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        return self


class VoiceCampaignFields(VoiceCallWindow):
    """Fields a client may set on a voice campaign. `name` and `campaign_name` are synonyms
    (seed 002 uses `campaign_name` for uploads)."""

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    campaign_name: Text | None = Field(default=None, min_length=1, max_length=200)
    description: Text | None = Field(default=None, max_length=2000)
    agent_id: Text | None = Field(default=None, max_length=200)
    next_action: Text | None = Field(default=None, max_length=500)

    @property
    def title(self) -> str | None:
        """The campaign's name, whichever field carried it."""
        return self.campaign_name or self.name


class VoiceCampaignCreate(VoiceCampaignFields):
    """`POST /api/campaigns`: a campaign over existing contacts (`contact_ids`)."""

    contact_ids: list[Annotated[Text, Field(max_length=64)]] = Field(
        default_factory=list, max_length=100_000
    )

    @model_validator(mode="after")
    def _named(self) -> VoiceCampaignCreate:
        if not self.title:
            raise ValueError("campaign_name (or name) is required")
        return self


class VoiceCampaignUpdate(VoiceCampaignFields):
    """`PUT /api/campaigns/{id}`: any subset of the fields."""


def _cell(value: object) -> object:
    """A spreadsheet number (e.g. a phone number exported as 15125550100) as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return value


Cell = Annotated[str | None, BeforeValidator(_cell)]


class VoiceCsvRow(BaseModel):
    """One row of `csv_data` (seed 002 "CSV Upload Endpoint Details"): text cells (numbers are
    read as their text). Validated per row by the service, so that a bad row (a missing name
    or phone, an invalid number, text that is not valid Unicode) is counted and reported
    rather than failing the whole upload. Other columns are ignored."""

    model_config = ConfigDict(extra="ignore")

    name: Cell = Field(default=None, examples=["John Smith"])
    phone_number: Cell = Field(default=None, examples=["+91 9876543210"])
    email: Cell = Field(default=None, examples=["john@example.com"])
    company: Cell = Field(default=None, examples=["ABC Corp"])
    notes: Cell = Field(default=None, examples=["Interested in demo"])


class VoiceCampaignUpload(VoiceCampaignFields):
    """`POST /api/campaigns/upload-csv`."""

    csv_data: list[VoiceCsvRow] = Field(min_length=1, max_length=50_000)

    @model_validator(mode="after")
    def _named(self) -> VoiceCampaignUpload:
        if not self.title:
            raise ValueError("campaign_name is required")
        return self


def _limit(value: object) -> int:
    """Seed 002 "Validation": a number from 1 to 10. Anything else is the seed's 400, raised as
    the domain error so the envelope's message says what is expected (no input is echoed)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not LIMIT_MIN <= value <= LIMIT_MAX:
        raise ValidationFailed(
            f"concurrent_calls_limit must be a whole number from {LIMIT_MIN} to {LIMIT_MAX}",
            {"concurrent_calls_limit": f"integer {LIMIT_MIN}-{LIMIT_MAX}"},
        )
    return value


class VoiceConcurrencyUpdate(_Body):
    """`PUT /api/settings/concurrency` (seed 002): the account's concurrent-calls limit."""

    concurrent_calls_limit: Annotated[int, BeforeValidator(_limit)] = Field(
        ge=LIMIT_MIN, le=LIMIT_MAX, examples=[3]
    )


# The names before issue 8 (class names are the OpenAPI schema names, so they carry `Voice`).
CallWindow = VoiceCallWindow
CampaignFields = VoiceCampaignFields
CampaignCreate = VoiceCampaignCreate
CampaignUpdate = VoiceCampaignUpdate
CampaignUpload = VoiceCampaignUpload
CsvRow = VoiceCsvRow
