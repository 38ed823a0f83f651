"""Usage wire schemas (issue 9 `GET /admin/account/usage`; seed 001 snake_case)."""

from __future__ import annotations

from pydantic import Field

from engage.core.schemas import PublicModel


class UsageMessagesBySender(PublicModel):
    """Messages of the period by who wrote them."""

    user: int = Field(ge=0)
    agent: int = Field(ge=0)
    bot: int = Field(ge=0)
    system: int = Field(ge=0)


class UsageMessages(PublicModel):
    """Chat messages created in the period (internal notes included, and counted apart)."""

    total: int = Field(ge=0)
    by_sender: UsageMessagesBySender
    private_notes: int = Field(ge=0)
    agent_replies: int = Field(ge=0, description="public agent messages (notes excluded)")


class UsageContacts(PublicModel):
    """Contacts: created in the period, and the tenant's total now."""

    created: int = Field(ge=0)
    total: int = Field(ge=0)


class UsageSms(PublicModel):
    """SMS campaign messages sent in the period (per-day statistics of the period's dates)."""

    sent: int = Field(ge=0)


class UsageCredits(PublicModel):
    """`balance`: credits left now. `used`: credits debited in the period (the per-day
    statistics of the period's dates, days in the tenant's time zone)."""

    balance: int
    used: int = Field(ge=0)


class UsagePublic(PublicModel):
    """Usage of one period: a calendar month in UTC, `period_start` inclusive, `period_end`
    exclusive. Figures are counted from the domain events since `counted_since` (the first
    event the usage consumer counted for the tenant; null when none yet)."""

    period: str = Field(description="YYYY-MM")
    timezone: str = "UTC"
    period_start: str
    period_end: str
    counted_since: str | None
    conversations: int = Field(ge=0)
    messages: UsageMessages
    contacts: UsageContacts
    sms: UsageSms
    credits: UsageCredits
