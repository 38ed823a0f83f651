"""Routing rules and business hours on the wire (seed 003 section 9 `GET /routing/rules`: bare
JSON, snake_case; README "Routing rules")."""

from __future__ import annotations

import re
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

MAX_RULES = 100
"""Most rules a tenant may have."""
MAX_INTERVALS = 6
"""Most opening intervals per day."""
_HHMM = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")


class RoutingRuleCreate(CheckedText, RequestModel):
    """`POST /routing/rules`: a condition in the rules' language, an action
    `<kind>:<argument>`, and the 1-based `position` to insert at (default: last)."""

    condition: str = Field(description="e.g. channel=whatsapp AND priority=high")
    action: str = Field(description="e.g. assign_to_agent_group:vip")
    position: int | None = Field(default=None, ge=1, le=MAX_RULES)


class RoutingRuleUpdate(CheckedText, RequestModel):
    """`PUT /routing/rules/{id}`: any of the condition, the action and the 1-based
    `position` to move the rule to (the others shift)."""

    condition: str | None = None
    action: str | None = None
    position: int | None = Field(default=None, ge=1, le=MAX_RULES)


class RoutingRulePublic(PublicModel):
    """One rule: the condition as written, the action canonical (kind lower-case, a
    template's id), its 1-based place in the order; times ISO 8601 UTC."""

    id: str
    condition: str
    action: str
    position: int = Field(ge=1)
    created_at: str
    updated_at: str


class RoutingRuleListPublic(PublicModel):
    """`GET /routing/rules`: the rules in order; the first whose condition holds wins."""

    rules: list[RoutingRulePublic]


class Weekday(StrEnum):
    """A day of the week, as business hours name it."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class OpeningInterval(BaseModel):
    """Open from `start` (included) to `end` (excluded), HH:MM, 24-hour, in the business
    hours' time zone; `end` may be 24:00 and must be after `start` (split a night across two
    days)."""

    model_config = ConfigDict(extra="forbid")
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["17:00"])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError("must be HH:MM (24-hour; 24:00 as an end)")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> OpeningInterval:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class BusinessHoursUpdate(CheckedText, RequestModel):
    """`PUT /routing/business-hours`: the IANA `timezone` and, per day, its opening intervals
    (a day left out, or with `[]`, is closed)."""

    timezone: str = Field(examples=["Europe/Madrid"])
    days: dict[Weekday, list[OpeningInterval]] = Field(
        examples=[{"mon": [{"start": "09:00", "end": "17:00"}]}]
    )

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Europe/Madrid") from exc
        return v

    @field_validator("days")
    @classmethod
    def _few(cls, v: dict[Weekday, list[OpeningInterval]]) -> dict[Weekday, list[OpeningInterval]]:
        if any(len(intervals) > MAX_INTERVALS for intervals in v.values()):
            raise ValueError(f"at most {MAX_INTERVALS} intervals a day")
        return v


class OpeningIntervalPublic(PublicModel):
    """An opening interval, HH:MM in the business hours' time zone."""

    start: str
    end: str


class BusinessHoursPublic(PublicModel):
    """The tenant's business hours: `timezone`, every day's intervals in order (`[]`:
    closed), `is_default` (never set: Mon-Fri 09:00-17:00 in the settings' time zone) and
    `open_now`."""

    timezone: str
    days: dict[Weekday, list[OpeningIntervalPublic]]
    is_default: bool
    open_now: bool
