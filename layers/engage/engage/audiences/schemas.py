"""Segment wire schemas (seed 004 "Lists Page", seed 000 sections 3 and 8; camelCase)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, JsonValue, model_validator
from pydantic.alias_generators import to_camel

from engage.contacts.schemas import ContactGender, SmsConsent
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


class SegmentType(StrEnum):
    """`system` segments are created for every tenant and cannot be deleted."""

    SYSTEM = "system"
    CUSTOM = "custom"


class SegmentAgeRange(CheckedText, RequestModel):
    """Inclusive integer range (`gte` / `lte`), e.g. an age bucket."""

    gte: int | None = Field(default=None, ge=0, le=150)
    lte: int | None = Field(default=None, ge=0, le=150)

    @model_validator(mode="after")
    def _order(self) -> SegmentAgeRange:
        if self.gte is None and self.lte is None:
            raise ValueError("give gte, lte or both")
        if self.gte is not None and self.lte is not None and self.gte > self.lte:
            raise ValueError("gte must not exceed lte")
        return self


class SegmentDateRange(CheckedText, RequestModel):
    """Inclusive date range over a contact's creation date."""

    gte: dt.date | None = None
    lte: dt.date | None = None


class SegmentCriteria(CheckedText, RequestModel):
    """Segment criteria; all given conditions must hold. `gender: null` means unknown gender;
    `tags` matches contacts with any of the tags."""

    model_config = ConfigDict(alias_generator=to_camel)
    gender: ContactGender | None = None
    age: SegmentAgeRange | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(
        default=None, max_length=20
    )
    consent: SmsConsent | None = None
    created_at: SegmentDateRange | None = None


class SegmentCreate(CheckedText, RequestModel):
    """POST /audiences/segments: criteria, static members (`contactIds`), or both (union)."""

    model_config = ConfigDict(alias_generator=to_camel)
    name: str = Field(min_length=1, max_length=100)
    criteria: SegmentCriteria | None = None
    contact_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None, max_length=10_000
    )

    @model_validator(mode="after")
    def _something(self) -> SegmentCreate:
        has_criteria = self.criteria is not None and bool(
            self.criteria.model_dump(exclude_unset=True)
        )
        if not has_criteria and not self.contact_ids:
            raise ValueError("give criteria, contactIds or both")
        return self


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class SegmentPublic(_Camel):
    """A segment (seed 004 plus `criteriaJson`, `estimatedCount` of seed 000 section 8).
    `criteria` is the stored criteria document (`{"gender": null}` = unknown gender)."""

    id: str
    key: str
    name: str
    type: SegmentType
    criteria: dict[str, JsonValue]
    criteria_json: dict[str, JsonValue]
    static_count: int
    is_active: bool
    estimated_count: int | None = Field(
        description="opted-in members; null when not computed (use the preview)"
    )
    created_at: str


class SegmentListPublic(_Camel):
    """GET /audiences/segments: system segments first, then custom ones by age."""

    segments: list[SegmentPublic]
    total: int


class SegmentPreviewPublic(_Camel):
    """GET /audiences/segments/{id}/preview: opted-in members a campaign would reach now
    (`estimatedCount`) and all members whatever their consent (`totalCount`)."""

    segment_id: str
    estimated_count: int
    total_count: int
