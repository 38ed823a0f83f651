"""Segment wire schemas (seed 004 "Lists Page", seed 000 sections 3 and 8)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Range(BaseModel):
    """Inclusive integer range (`gte` / `lte`), e.g. an age bucket."""

    model_config = ConfigDict(extra="forbid")
    gte: int | None = Field(default=None, ge=0, le=150)
    lte: int | None = Field(default=None, ge=0, le=150)

    @model_validator(mode="after")
    def _order(self) -> Range:
        if self.gte is None and self.lte is None:
            raise ValueError("give gte, lte or both")
        if self.gte is not None and self.lte is not None and self.gte > self.lte:
            raise ValueError("gte must not exceed lte")
        return self


class DateRange(BaseModel):
    """Inclusive date range over a contact's creation date."""

    model_config = ConfigDict(extra="forbid")
    gte: dt.date | None = None
    lte: dt.date | None = None


class Criteria(BaseModel):
    """Segment criteria; all given conditions must hold. `gender: null` means unknown gender;
    `tags` matches contacts with any of the tags."""

    model_config = ConfigDict(extra="forbid")
    gender: Literal["male", "female", "other"] | None = None
    age: Range | None = None
    tags: list[str] | None = Field(default=None, max_length=20)
    consent: Literal["opted_in", "opted_out", "unknown"] | None = None
    createdAt: DateRange | None = None


class SegmentCreate(BaseModel):
    """POST /audiences/segments: criteria, static members (`contactIds`), or both (union)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    criteria: Criteria | None = None
    contactIds: list[str] | None = Field(default=None, max_length=10_000)

    @model_validator(mode="after")
    def _something(self) -> SegmentCreate:
        has_criteria = self.criteria is not None and bool(
            self.criteria.model_dump(exclude_unset=True)
        )
        if not has_criteria and not self.contactIds:
            raise ValueError("give criteria, contactIds or both")
        return self
