"""Contact wire schemas (seed 004 "Contacts Page"; seed 000 section 6 import counts; camelCase).

A contact read with GET can be sent back as is: `POST /contacts` and `PUT /contacts/{id}`
accept the resource's own names (`phoneE164` as well as `phone`) and its read-only fields
(`id`, `createdAt`, `updatedAt`), which the server owns: `id` must name the contact being
written, the timestamps are ignored. Any other unknown field is a 400 (issue 8 section 5).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from engage.conversations.schemas import Channel
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# RFC 5646 (BCP 47) language tags, well-formed (not checked against the IANA registry):
# language (2-3 letters with up to three extlangs; the reserved and registered 4-8 letter
# forms are refused, so `english` is not taken for a tag), script, region, variants,
# extensions, private use; or a private-use tag alone (`x-...`). 35 characters at most.
_LANGUAGE = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}"
    r"(?:-[a-z]{4})?"
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"
    r"(?:-[0-9a-wy-z](?:-[a-z0-9]{2,8})+)*"
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"
    r"|x(?:-[a-z0-9]{1,8})+)$"
)
LANGUAGE_MAX = 35


def normalise_email(value: str | None) -> str | None:
    """The address lower-cased, None for none; ValueError when it is not an e-mail address."""
    if value and not _EMAIL.match(value):
        raise ValueError("must be an e-mail address")
    return value.lower() if value else None


def clean_tags(value: list[str] | None) -> list[str] | None:
    """Tags stripped, blanks dropped, duplicates removed (first kept); ValueError for a tag
    over 50 characters."""
    if value is None:
        return value
    clean = [t.strip() for t in value if t and t.strip()]
    if any(len(t) > 50 for t in clean):
        raise ValueError("each tag is at most 50 characters")
    return list(dict.fromkeys(clean))


def normalise_language(value: str | None) -> str | None:
    """A BCP 47 language tag (RFC 5646 syntax) in its conventional case (`en`, `es-MX`,
    `zh-Hant-TW`), None for none; ValueError when it is not a well-formed tag."""
    if value is None or not value.strip():
        return None
    tag = value.strip().replace("_", "-").lower()
    if len(tag) > LANGUAGE_MAX or not _LANGUAGE.match(tag):
        raise ValueError("must be a BCP 47 language tag such as en, es-MX or zh-Hant-TW")
    parts = tag.split("-")
    out = [parts[0]]
    private = parts[0] == "x"
    for part in parts[1:]:
        if private or len(part) == 1:
            private = private or part == "x"
            out.append(part)
        elif len(part) == 2:
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part)
    return "-".join(out)


class ContactGender(StrEnum):
    """A contact's gender as the segments know it; null when unknown."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"


class SmsConsent(StrEnum):
    """Marketing consent on one channel (`smsConsent`, `whatsappConsent`, `emailConsent`);
    campaigns reach a contact on a channel only when it is `opted_in` there."""

    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"
    UNKNOWN = "unknown"


class ContactImportJobStatus(StrEnum):
    """Lifecycle of an asynchronous import: queued -> running -> completed | failed."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class _Body(CheckedText, RequestModel):
    model_config = ConfigDict(alias_generator=to_camel)


class _ContactFields(_Body):
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    gender: ContactGender | None = None
    birth_date: dt.date | None = None
    sms_consent: SmsConsent | None = None
    whatsapp_consent: SmsConsent | None = None
    email_consent: SmsConsent | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    language: str | None = Field(
        default=None, max_length=64, description="BCP 47 tag (seed 003 preferences), e.g. es-MX"
    )
    preferred_channel: Channel | None = Field(
        default=None, description="the channel the customer prefers (seed 003 preferences)"
    )
    phone: str | None = Field(
        default=None, min_length=3, max_length=40, description="any format (tenant's country)"
    )
    phone_e164: str | None = Field(
        default=None,
        min_length=3,
        max_length=40,
        description="the resource's own name for `phone`; give either, or both if they agree",
    )
    id: str | None = Field(
        default=None, max_length=64, description="read-only: must be the contact's own id"
    )
    created_at: str | None = Field(default=None, max_length=64, description="read-only: ignored")
    updated_at: str | None = Field(default=None, max_length=64, description="read-only: ignored")

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return normalise_email(v)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str | None) -> str | None:
        return normalise_language(v)

    @field_validator("birth_date")
    @classmethod
    def _past(cls, v: dt.date | None) -> dt.date | None:
        if v and (v > dt.date.today() or v.year < 1900):
            raise ValueError("must be a date between 1900-01-01 and today")
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        return clean_tags(v)

    def given_phone(self) -> str | None:
        """The number given as `phone` or `phoneE164` (the caller checks that two agree)."""
        return self.phone if self.phone is not None else self.phone_e164


class ContactCreate(_ContactFields):
    """POST /contacts: `phone` (or `phoneE164`) in any format, resolved with the tenant's
    default country; the other fields are optional."""

    @model_validator(mode="after")
    def _has_phone(self) -> ContactCreate:
        if self.phone is None and self.phone_e164 is None:
            raise ValueError("give phone (or phoneE164)")
        return self


class ContactUpdate(_ContactFields):
    """PUT /contacts/{id}: any subset of the fields; a GET's `data` may be sent back as is."""


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class ContactPublic(_Camel):
    """A contact (seed 004 plus the fields issue 2 lists)."""

    id: str
    phone_e164: str | None = Field(
        description="E.164; null for an end user of the chat platform who gave no phone"
    )
    first_name: str | None
    last_name: str | None
    email: str | None
    gender: ContactGender | None
    birth_date: str | None = Field(description="YYYY-MM-DD")
    sms_consent: SmsConsent
    whatsapp_consent: SmsConsent = Field(description="WhatsApp marketing consent")
    email_consent: SmsConsent = Field(description="e-mail marketing consent")
    tags: list[str]
    language: str | None = Field(
        default=None, description="BCP 47 tag; null: unknown (seed 003 section 4)"
    )
    preferred_channel: Channel | None = Field(
        default=None, description="null: unknown (seed 003 section 4)"
    )
    created_at: str
    updated_at: str


class ContactListPublic(_Camel):
    """GET /contacts (seed 004: `{contacts, total, page, pageSize}` inside `data`)."""

    contacts: list[ContactPublic]
    total: int
    page: int
    page_size: int


class ContactImportRowError(_Camel):
    """Why a row was not imported, or was imported without a field (`row` 1 = first data row)."""

    row: int
    reason: str


class ContactImportResultPublic(_Camel):
    """POST /contacts/import, 200 (seed 000 section 6): counts of a synchronous import."""

    imported: int
    skipped: int
    invalid: int
    total_rows: int
    errors: list[ContactImportRowError]


class ContactImportJobPublic(_Camel):
    """An asynchronous import (POST /contacts/import 202, GET /contacts/import/{jobId})."""

    job_id: str
    status: ContactImportJobStatus
    file_name: str | None
    total_rows: int
    processed_rows: int
    progress: float = Field(description="percent of rows processed, 0-100")
    imported: int
    skipped: int
    invalid: int
    errors: list[ContactImportRowError]
    failure: str | None
    created_at: str
    updated_at: str
