"""Wire shapes of the system group (seed 003 section 7): `GET /health`, `GET /capabilities`.

Both are bare objects (no `{"success": true, "data"}` envelope), as seed 003 shows them.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from engage.core.schemas import PublicModel


class HealthStatus(StrEnum):
    """`healthy` when every service answers, `degraded` (HTTP 503) otherwise (seed 003 s. 7)."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"


class ServiceState(StrEnum):
    """One backing service's answer to a real call: `up` or `down` (seed 003 section 7)."""

    UP = "up"
    DOWN = "down"


class HealthServices(PublicModel):
    """The backing services `/health` calls for real, each once: `database` (DescribeTable
    on the table), `queue` (the campaign send queue), `webhooks` (the queue provider webhooks
    hand receipts and replies to) and `events` (the event bus that feeds the inbox's live
    updates, routing, notifications and analytics). Seed 003's `redis` is not listed: Engage
    has no Redis."""

    database: ServiceState
    queue: ServiceState
    webhooks: ServiceState
    events: ServiceState


class HealthPublic(PublicModel):
    """`GET /health`: `{status, services: {database, queue, webhooks, events}, uptime}`."""

    status: HealthStatus
    services: HealthServices
    uptime: float = Field(description="seconds since this process started")


class ChannelName(StrEnum):
    """The channels Engage knows; `/capabilities` lists those this deployment can use."""

    SMS = "sms"
    VOICE = "voice"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    CHAT = "chat"
    VIDEO = "video"


class Feature(StrEnum):
    """What a deployment can do beyond its channels (`/capabilities` lists those it has)."""

    CONTACTS = "contacts"
    CONTACTS_IMPORT = "contacts_import"
    SEGMENTS = "segments"
    CAMPAIGNS = "campaigns"
    SCHEDULED_CAMPAIGNS = "scheduled_campaigns"
    RECURRING_CAMPAIGNS = "recurring_campaigns"
    SHORT_LINKS = "short_links"
    DELIVERY_RECEIPTS = "delivery_receipts"
    OPT_OUT_KEYWORDS = "opt_out_keywords"
    DASHBOARD = "dashboard"
    TEMPLATES = "templates"
    AUTOMATIONS_STORAGE = "automations_storage"
    VOICE_CAMPAIGNS = "voice_campaigns"
    CALL_QUEUE = "call_queue"
    CONCURRENT_CALL_LIMITS = "concurrent_call_limits"
    # Seed 003 section 7's names, and the hub's (issue 11):
    SESSION_TRANSFER = "session_transfer"
    ANALYTICS = "analytics"
    ROUTING = "routing"
    NOTIFICATIONS = "notifications"
    CUSTOMER_SATISFACTION = "customer_satisfaction"
    REALTIME = "realtime"
    CAMPAIGN_ATTRIBUTION = "campaign_attribution"


class ChannelState(PublicModel):
    """Whether one channel works in this deployment, and through which provider."""

    enabled: bool
    provider: str | None = Field(
        default=None,
        description="`sandbox`, `twilio`, `ses`, `chime` or `engage` (chat, built in); null "
        "when the channel does not ship",
    )


class CapabilityLimits(PublicModel):
    """Limits a frontend should respect before sending a request."""

    importMaxBytes: int = Field(description="largest `POST /contacts/import` file, in bytes")
    importSyncMaxRows: int = Field(description="rows above which an import answers 202 + job")
    pageSizeMax: int = Field(description="largest `pageSize` / `limit` of a list")


class CapabilitiesPublic(PublicModel):
    """`GET /capabilities` (seed 003 section 7): `channels` is the list of enabled channels as
    the seed shows it; `channelDetails` says, for every known channel, whether it is enabled and
    its provider; `version` is the package version."""

    channels: list[ChannelName]
    channelDetails: dict[ChannelName, ChannelState]
    features: list[Feature]
    limits: CapabilityLimits
    version: str
