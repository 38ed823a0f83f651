"""Channel and integration wire schemas (issue 10 "Seed 003 routes"; seed 003 sections 1 and 8:
bare JSON, snake_case).

Secrets (`api_key`, `webhook_secret`) arrive as `SecretStr`, so they are never printed by
accident, and no response model has a field that could carry one: a configuration answers
masked hints only (`api_key_hint: "…f3a9"`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, SecretStr

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


class ChannelType(StrEnum):
    """Seed 003 `channelType`: the channels of the omnichannel hub."""

    WHATSAPP = "whatsapp"
    VOICE = "voice"
    VIDEO = "video"
    CHAT = "chat"
    EMAIL = "email"
    SMS = "sms"


class ChannelStatus(StrEnum):
    """Where a channel stands: `not_configured`; `configured` (never checked yet);
    `connected` (its last provider check passed); `error` (its last check failed)."""

    NOT_CONFIGURED = "not_configured"
    CONFIGURED = "configured"
    CONNECTED = "connected"
    ERROR = "error"


class ChannelHealth(StrEnum):
    """The outcome of a provider check: `unknown` when none was made."""

    HEALTHY = "healthy"
    UNHEALTHY = "unhealthy"
    UNKNOWN = "unknown"


class IntegrationType(StrEnum):
    """Seed 003 `integrationType`: the providers behind the channels, and Shopify."""

    TWILIO = "twilio"
    WHATSAPP = "whatsapp"
    SES = "ses"
    CHIME = "chime"
    SHOPIFY = "shopify"


class ChannelConfigure(CheckedText, RequestModel):
    """POST /channels/{channelType}/configure (seed 003 section 1). Which fields a channel
    takes and needs (a field another channel uses is a 400):
    - `sms`, `voice`, `whatsapp` (Twilio): `phone_number` (E.164) and the Twilio credentials
      `account_sid` (`AC` + 32 hex) and `api_key` (the auth token); `webhook_url` optional;
    - `email` (SES): `from_address` required, `from_name`, `reply_to`, `webhook_url` optional;
    - `video` (Chime SDK, the deployment's AWS account) and `chat`: `webhook_url` optional.
    `webhook_url` must be https on a public host. Configuring again replaces everything."""

    phone_number: str | None = Field(default=None, min_length=1, max_length=32)
    webhook_url: str | None = Field(default=None, min_length=1, max_length=2048)
    api_key: SecretStr | None = Field(default=None, min_length=1, max_length=256)
    account_sid: str | None = Field(default=None, min_length=1, max_length=64)
    from_address: str | None = Field(default=None, min_length=3, max_length=254)
    from_name: str | None = Field(default=None, min_length=1, max_length=100)
    reply_to: str | None = Field(default=None, min_length=3, max_length=254)


class IntegrationTest(CheckedText, RequestModel):
    """POST /integrations/{integrationType}/test (seed 003 section 8): credentials to try;
    each one missing is taken from the stored configuration."""

    api_key: SecretStr | None = Field(default=None, min_length=1, max_length=256)
    phone_number: str | None = Field(default=None, min_length=1, max_length=32)
    account_sid: str | None = Field(default=None, min_length=1, max_length=64)


class ShopifyConfigure(CheckedText, RequestModel):
    """POST /integrations/shopify/configure: the shop (`<name>.myshopify.com`) and the secret
    Shopify signs its webhooks with (`X-Shopify-Hmac-Sha256`)."""

    shop_domain: str = Field(min_length=1, max_length=255)
    webhook_secret: SecretStr = Field(min_length=8, max_length=256)


class ChannelConfigPublic(PublicModel):
    """A channel's non-secret settings and masked hints (null: not set for this channel).
    `twilio_account_sid` and `api_key_hint` show the first two and last four characters only."""

    phone_number: str | None = None
    webhook_url: str | None = None
    from_address: str | None = None
    from_name: str | None = None
    reply_to: str | None = None
    twilio_account_sid: str | None = None
    api_key_hint: str | None = None
    configured_at: str | None = None


class MessagingMetricsPublic(PublicModel):
    """Counters of a conversation channel (chat, sms, whatsapp, email) since counting began:
    `active_sessions` (open or pending conversations now on the channel), `total_sessions`
    (conversations started on it), `total_messages` (messages written on it, notes excluded),
    `response_time` (mean seconds to the first agent reply; null without a sample)."""

    active_sessions: int
    total_sessions: int
    total_messages: int
    response_time: float | None


class VoiceMetricsPublic(PublicModel):
    """Voice counters: `active_calls` (calls holding a slot now), `total_calls` (calls ended,
    whatever their outcome), `total_minutes` (talk time, one decimal), `call_quality` (null: no
    provider reports one)."""

    active_calls: int | None
    total_calls: int
    total_minutes: float
    call_quality: float | None = None


class VideoMetricsPublic(PublicModel):
    """Video counters: `total_sessions` (sessions ended), `total_minutes` (their minutes, each
    rounded up), `active_sessions` null (no event reports a session's start)."""

    active_sessions: int | None = None
    total_sessions: int
    total_minutes: float


class ChannelPublic(PublicModel):
    """One configured channel (seed 003 `GET /channels/integrations`). `id` is
    `<type>-1` (one configuration per channel type per tenant); `status` from the last check."""

    id: str
    type: ChannelType
    name: str
    status: ChannelStatus
    config: ChannelConfigPublic
    metrics: MessagingMetricsPublic | VoiceMetricsPublic | VideoMetricsPublic


class ChannelListPublic(PublicModel):
    """GET /channels/integrations: every configured channel (chat is always there)."""

    channels: list[ChannelPublic]


class ChannelConfiguredPublic(PublicModel):
    """POST /channels/{channelType}/configure (seed 003)."""

    success: Literal[True] = True
    channel_id: str
    status: ChannelStatus


class ChannelStatusPublic(PublicModel):
    """GET /channels/{channelType}/status (seed 003). `health` and `last_ping` (ISO 8601 UTC:
    when the provider last answered a check) come from a provider check reused for
    `cache_seconds`; `detail` says what the provider answered when it was not healthy;
    `active_sessions` is the channel's counter (voice: calls in progress; video: null)."""

    channel_type: ChannelType
    status: ChannelStatus
    last_ping: str | None
    health: ChannelHealth
    active_sessions: int | None
    detail: str | None = None
    cache_seconds: int


class IntegrationPublic(PublicModel):
    """One integration (seed 003 `GET /integrations/status`): `last_sync` is the last
    successful check or webhook received (null: never)."""

    type: IntegrationType
    status: ChannelStatus
    last_sync: str | None


class IntegrationListPublic(PublicModel):
    """GET /integrations/status: twilio, whatsapp, ses, chime, shopify."""

    integrations: list[IntegrationPublic]


class IntegrationTestPublic(PublicModel):
    """POST /integrations/{integrationType}/test (seed 003): `success` and what the provider
    answered; `latency` in ms around the provider call (null when no call was made)."""

    success: bool
    test_result: str
    latency: int | None


class ShopifyConfiguredPublic(PublicModel):
    """POST /integrations/shopify/configure."""

    success: Literal[True] = True
    shop_domain: str
    status: ChannelStatus
