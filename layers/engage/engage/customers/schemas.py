"""Customer wire schemas (seed 003 section 4 "Customer management": bare JSON, snake_case).

A customer IS a contact (engage/contacts): `customer_id` is the contact id, the profile is the
contact's fields under seed 003's names. Beyond the seed, a profile also carries `consent`
(per channel, read-only here: it has its own paths) and `updated_at`; a history interaction
carries `kind` and `id` (README "Customers (seed 003)").
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, field_validator

from engage.contacts.schemas import (
    SmsConsent,
    clean_tags,
    normalise_email,
    normalise_language,
)
from engage.conversations.schemas import Channel
from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 100
NAME_MAX = 201  # first name (100) + a space + last name (100), as contacts keep them


class CustomerPreferencesUpdate(CheckedText, RequestModel):
    """`preferences` of `PUT /customers/{customerId}/profile`: each field optional; null
    clears it."""

    language: str | None = Field(
        default=None, max_length=64, description="BCP 47 tag (RFC 5646), e.g. en, es-MX"
    )
    preferred_channel: Channel | None = Field(default=None, description="a seed 003 channel")

    @field_validator("language")
    @classmethod
    def _language(cls, v: str | None) -> str | None:
        return normalise_language(v)


class CustomerProfileUpdate(CheckedText, RequestModel):
    """`PUT /customers/{customerId}/profile` (seed 003 section 4): any subset of the fields.
    `name` is split at its first space into the contact's first and last name (null or ""
    clears both); `phone` in any format (the tenant's default country) becomes E.164 and may
    not be removed; `email` null clears it; `tags` replaces the list. Consent is not settable
    here. Unknown fields are a 400."""

    name: str | None = Field(default=None, max_length=NAME_MAX)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, min_length=3, max_length=40)
    preferences: CustomerPreferencesUpdate | None = None
    tags: list[str] | None = Field(default=None, max_length=50)

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return normalise_email(v)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str] | None) -> list[str] | None:
        return clean_tags(v)


class CustomerPreferencesPublic(PublicModel):
    """A customer's preferences; null: not known."""

    language: str | None = Field(description="BCP 47 tag")
    preferred_channel: Channel | None


class CustomerConsentPublic(PublicModel):
    """Marketing consent per channel (beyond the seed; read-only on these routes)."""

    sms: SmsConsent
    whatsapp: SmsConsent
    email: SmsConsent


class CustomerProfilePublic(PublicModel):
    """`GET /customers/{customerId}/profile` (seed 003 section 4, plus `consent` and
    `updated_at`). `name` is the first and last name joined (null when neither is known),
    `phone` E.164 (null for an end user who gave none)."""

    customer_id: str
    name: str | None
    email: str | None
    phone: str | None
    preferences: CustomerPreferencesPublic
    tags: list[str]
    consent: CustomerConsentPublic
    created_at: str
    updated_at: str


class InteractionKind(StrEnum):
    """What an interaction of a customer's history is."""

    SESSION = "session"
    CAMPAIGN_MESSAGE = "campaign_message"
    CALL = "call"


class InteractionStatus(StrEnum):
    """An interaction's status, by kind: a session's (open, pending, snoozed, resolved), a
    campaign message's once it reached the customer (sent, delivered, read), a call's queue
    item's (queued for a retry, in_progress, completed, failed, cancelled)."""

    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CustomerInteractionPublic(PublicModel):
    """One entry of a customer's history. A session (a conversation, on any channel) has
    `session_id` = `id` = the conversation id, `status` open | pending | snoozed | resolved and
    `summary` the first line of its latest message (null without one). A campaign message has
    `session_id` null, `id` the campaign id, `status` sent | delivered | read and `summary` the
    campaign's name. A call has `session_id` null, `id` the voice queue item id
    (`<campaignId>-<seq>`, as `/api/queue` names it), `status` the queue item's (in_progress |
    completed | failed | cancelled | queued for a retry) and `summary` the voice campaign's
    name with the last outcome."""

    session_id: str | None
    kind: InteractionKind
    id: str
    channel_type: Channel
    created_at: str = Field(description="ISO 8601 UTC: when it began (a call: first placed)")
    status: InteractionStatus
    summary: str | None


class CustomerHistoryPublic(PublicModel):
    """`GET /customers/{customerId}/history` (seed 003 section 4): newest first."""

    interactions: list[CustomerInteractionPublic]
