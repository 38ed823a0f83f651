"""End-user wire schemas (issue 9 "Who is who"; seed 001 mismatch 4: `metadata.device`)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ATTRIBUTES = 50
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_TEXT = 500

AttributeValue = str | int | float | bool | None
Attributes = dict[str, AttributeValue]


class _Body(CheckedText, RequestModel):
    pass


class Device(_Body):
    """What the SDK reports about the end user's device (all optional, bounded text)."""

    platform: str | None = Field(default=None, max_length=32, description="ios, android, web")
    model: str | None = Field(default=None, max_length=100)
    manufacturer: str | None = Field(default=None, max_length=100)
    os: str | None = Field(default=None, max_length=50)
    os_version: str | None = Field(default=None, max_length=50)
    app_version: str | None = Field(default=None, max_length=50)
    sdk_version: str | None = Field(default=None, max_length=50)
    locale: str | None = Field(default=None, max_length=35)
    timezone: str | None = Field(default=None, max_length=64)


class EndUserMetadata(_Body):
    """`metadata` of an end user: the device."""

    device: Device | None = None


class Identify(_Body):
    """`POST /v1/users/identify`: who the calling end user is (any subset; a field left out
    keeps its value). `phone` in any format, resolved with the tenant's default country."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, min_length=3, max_length=40)
    metadata: EndUserMetadata | None = None
    attributes: dict[str, AttributeValue] | None = Field(
        default=None, description=f"custom attributes: at most {MAX_ATTRIBUTES}"
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not _EMAIL.match(value):
            raise ValueError("must be an e-mail address")
        return value.lower() if value else None

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: Attributes | None) -> Attributes | None:
        if value is None:
            return None
        if len(value) > MAX_ATTRIBUTES:
            raise ValueError(f"at most {MAX_ATTRIBUTES} attributes")
        for key, item in value.items():
            if not key or len(key) > MAX_ATTRIBUTE_KEY or not key.isprintable():
                raise ValueError(f"attribute names are 1 to {MAX_ATTRIBUTE_KEY} characters")
            if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_TEXT:
                raise ValueError(f"attribute text is at most {MAX_ATTRIBUTE_TEXT} characters")
            if isinstance(item, float) and item != item:  # NaN cannot be stored
                raise ValueError("attribute numbers must be finite")
        return value


class DevicePublic(PublicModel):
    """The device the end user's SDK last reported (fields it did not report are null)."""

    platform: str | None = None
    model: str | None = None
    manufacturer: str | None = None
    os: str | None = None
    os_version: str | None = None
    app_version: str | None = None
    sdk_version: str | None = None
    locale: str | None = None
    timezone: str | None = None


class EndUserMetadataPublic(PublicModel):
    """`metadata` of an end user (seed 001 mismatch 4)."""

    device: DevicePublic | None


class EndUserPublic(PublicModel):
    """An end user: a contact (`id` is its contact id) with the tenant's `external_id`."""

    id: str
    external_id: str
    name: str | None
    email: str | None
    phone: str | None = Field(description="E.164")
    metadata: EndUserMetadataPublic
    attributes: dict[str, AttributeValue]
    created_at: str
    updated_at: str


class EndUserListPublic(PublicModel):
    """A page of end users (by external id); pass `next_cursor` as `cursor` for the next."""

    data: list[EndUserPublic]
    next_cursor: str | None
