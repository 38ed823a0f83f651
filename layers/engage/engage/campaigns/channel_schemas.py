"""Wire schemas of campaigns on several channels (seed 003 section 5, "Campaign integration
endpoints"; issue 10): `PUT /campaigns/{id}/channels` and `GET /campaigns/{id}/omnichannel`
answer bare JSON in snake_case, as seed 003 documents; the per-channel counts that
`GET /campaigns/{id}/stats` gains (seed 004 envelope, camelCase)."""

from __future__ import annotations

import enum
import json
import re

from pydantic import Field, field_validator

from engage.core.schemas import PublicModel, RequestModel

CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
HTML_MAX_JSON_BYTES = 100_000
"""The most an e-mail's HTML may weigh once JSON-encoded: it travels once in every send batch
(SQS message) of the campaign, beside its recipients (engage.campaigns.enqueue)."""
VOICE_HINT = "voice campaigns are POST /api/campaigns, seed 002"


class CampaignChannel(enum.StrEnum):
    """A channel a campaign can send on."""

    SMS = "sms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


class ChannelDelivery(enum.StrEnum):
    """`all`: one message on each channel the recipient can be reached on and consented to;
    `first_available`: only on the first of them, in the order of `channels`."""

    ALL = "all"
    FIRST_AVAILABLE = "first_available"


class SmsChannelSettings(RequestModel):
    """SMS has no settings of its own: it sends the campaign's `message`."""


class WhatsAppChannelSettings(RequestModel):
    """`template`: an approved Twilio Content API template (`content_sid`, `HX` + 32 hex),
    sent to recipients outside the 24-hour customer-service window; `variables`: the
    template's placeholders (`{"1": "{{firstName|there}}"}`), which may use the campaign's
    variables. Inside the window the campaign's message goes as free-form text."""

    template: str = Field(description="Twilio Content API content_sid, HX + 32 hex digits")
    variables: dict[str, str] | None = Field(default=None, max_length=20)

    @field_validator("template")
    @classmethod
    def _sid(cls, v: str) -> str:
        if not CONTENT_SID.match(v):
            raise ValueError("must be a Twilio Content API content_sid: HX and 32 hex digits")
        return v

    @field_validator("variables")
    @classmethod
    def _vars(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        for name, value in (v or {}).items():
            if not VARIABLE_NAME.match(name):
                raise ValueError("variable names are 1-32 letters, digits or '_'")
            if not value or len(value) > 1024:
                raise ValueError("variable values are 1-1024 characters")
        return v


class EmailChannelSettings(RequestModel):
    """`subject` and `html` of the e-mail (both may use the campaign's variables); the plain
    text part is derived from the HTML. Links equal to the campaign message's links become the
    recipient's short links (their clicks count)."""

    subject: str = Field(min_length=1, max_length=200)
    html: str = Field(min_length=1)

    @field_validator("html")
    @classmethod
    def _size(cls, v: str) -> str:
        if len(json.dumps(v)) > HTML_MAX_JSON_BYTES:
            raise ValueError(f"at most {HTML_MAX_JSON_BYTES} bytes once JSON-encoded")
        return v


class CampaignChannelSettings(RequestModel):
    """Per-channel settings; `email` is required when e-mail is chosen, `whatsapp` when
    WhatsApp is; settings of channels not chosen are ignored."""

    sms: SmsChannelSettings | None = None
    whatsapp: WhatsAppChannelSettings | None = None
    email: EmailChannelSettings | None = None


class CampaignChannelsUpdate(RequestModel):
    """`PUT /campaigns/{id}/channels` (seed 003 section 5), plus `delivery`."""

    channels: list[str] = Field(min_length=1, max_length=3)
    settings: CampaignChannelSettings = Field(default_factory=CampaignChannelSettings)
    delivery: ChannelDelivery = ChannelDelivery.ALL

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        allowed = [c.value for c in CampaignChannel]
        unknown = [c for c in v if c not in allowed]
        if unknown:
            shown = ", ".join(repr(c[:20]) for c in unknown[:3])
            raise ValueError(
                f"unsupported channels: {shown}; campaigns send on {', '.join(allowed)} "
                f"({VOICE_HINT})"
            )
        if len(set(v)) != len(v):
            raise ValueError("each channel at most once")
        return v


class WhatsAppChannelSettingsPublic(PublicModel):
    """A campaign's WhatsApp settings."""

    template: str
    variables: dict[str, str] | None = None


class EmailChannelSettingsPublic(PublicModel):
    """A campaign's e-mail settings."""

    subject: str
    html: str


class CampaignChannelSettingsPublic(PublicModel):
    """The settings of the campaign's channels (only those chosen)."""

    whatsapp: WhatsAppChannelSettingsPublic | None = None
    email: EmailChannelSettingsPublic | None = None


class CampaignChannelsPublic(PublicModel):
    """`PUT /campaigns/{id}/channels`: bare, snake_case (seed 003)."""

    campaign_id: str
    channels: list[CampaignChannel]
    settings: CampaignChannelSettingsPublic
    delivery: ChannelDelivery


class OmnichannelMetricsPublic(PublicModel):
    """`total_sent`: messages sent on every channel (the campaign's counters); `responses`:
    recipients who wrote back within the attribution window; `conversions`: their orders
    (issue 10 "Attribution"; null until attribution is wired)."""

    total_sent: int
    responses: int | None = None
    conversions: int | None = None


class CampaignOmnichannelPublic(PublicModel):
    """`GET /campaigns/{id}/omnichannel`: bare, snake_case (seed 003 section 5)."""

    campaign_id: str
    name: str
    channels: list[CampaignChannel]
    metrics: OmnichannelMetricsPublic


class SmsChannelCounts(PublicModel):
    """One channel's messages by status (`GET /campaigns/{id}/stats` `channels`)."""

    queued: int
    sent: int
    delivered: int
    undelivered: int
    failed: int
    skipped: int
