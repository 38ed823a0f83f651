"""Settings wire schemas (seed 004 "Settings Page", seed 000 section 1; camelCase)."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engage.core.phones import is_valid_region
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$")


class TenantQuietHours(BaseModel):
    """No campaign messages between `start` and `end` (HH:MM, tenant time zone)."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = False
    start: str = "21:00"
    end: str = "08:00"

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError("must be HH:MM (24-hour)")
        return v


class TenantSettingsPublic(PublicModel):
    """The full settings object returned by GET/PUT /settings (also the stored document)."""

    companyName: str = ""
    senderId: str = ""
    timezone: str = "UTC"
    defaultCountry: str = "US"
    quietHours: TenantQuietHours = Field(default_factory=TenantQuietHours)
    allowedOrigins: list[str] = Field(default_factory=list)


class TenantSettingsUpdate(CheckedText, RequestModel):
    """PUT /settings body: any subset of the settings; unknown fields are a 400."""

    companyName: str | None = Field(default=None, max_length=100)
    senderId: str | None = Field(default=None, max_length=20)
    timezone: str | None = None
    defaultCountry: str | None = None
    quietHours: TenantQuietHours | None = None
    allowedOrigins: list[Annotated[str, Field(max_length=300)]] | None = Field(
        default=None, max_length=20
    )

    @field_validator("senderId")
    @classmethod
    def _sender(cls, v: str | None) -> str | None:
        if v and not re.fullmatch(r"(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})", v):
            raise ValueError("must be an E.164 number or an alphanumeric sender of 1-11 chars")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("must be an IANA time zone such as Europe/Athens") from exc
        return v

    @field_validator("defaultCountry")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not is_valid_region(v):
            raise ValueError("must be an ISO 3166-1 alpha-2 country code such as US")
        return v.upper()

    @field_validator("allowedOrigins")
    @classmethod
    def _origins(cls, v: list[str] | None) -> list[str] | None:
        for origin in v or []:
            if not _ORIGIN.match(origin):
                raise ValueError(f"{origin!r} is not an origin like https://shop.example.com")
        return v


# The names other groups import (campaigns' quiet hours, tests) stay valid.
SettingsPublic = TenantSettingsPublic
QuietHours = TenantQuietHours
SettingsUpdate = TenantSettingsUpdate
