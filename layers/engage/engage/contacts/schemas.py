"""Contact wire schemas (seed 004 "Contacts Page"; camelCase)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Gender = Literal["male", "female", "other"]
Consent = Literal["opted_in", "opted_out", "unknown"]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _ContactFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    firstName: str | None = Field(default=None, max_length=100)
    lastName: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    gender: Gender | None = None
    birthDate: dt.date | None = None
    smsConsent: Consent | None = None
    tags: list[str] | None = Field(default=None, max_length=50)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v and not _EMAIL.match(v):
            raise ValueError("must be an e-mail address")
        return v.lower() if v else None

    @field_validator("birthDate")
    @classmethod
    def _past(cls, v: dt.date | None) -> dt.date | None:
        if v and (v > dt.date.today() or v.year < 1900):
            raise ValueError("must be a date between 1900-01-01 and today")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        clean = [t.strip() for t in v if t and t.strip()]
        if any(len(t) > 50 for t in clean):
            raise ValueError("each tag is at most 50 characters")
        return list(dict.fromkeys(clean))


class ContactCreate(_ContactFields):
    """POST /contacts: `phone` in any format (resolved with the tenant's default country)."""

    phone: str = Field(min_length=3, max_length=40)


class ContactUpdate(_ContactFields):
    """PUT /contacts/{id}: any subset of the fields."""

    phone: str | None = Field(default=None, min_length=3, max_length=40)
