"""Wire views of channel items (schemas.py): masked hints, the per-type metrics from the
counters (consumer.py), and the names the frontend shows. Nothing here reads a secret."""

from __future__ import annotations

from engage.integrations.models import ChannelConfigItem, ChannelMetricsItem
from engage.integrations.schemas import (
    ChannelConfigPublic,
    ChannelHealth,
    ChannelStatus,
    ChannelType,
    MessagingMetricsPublic,
    VideoMetricsPublic,
    VoiceMetricsPublic,
)

NAMES = {
    ChannelType.WHATSAPP: "WhatsApp Business",
    ChannelType.VOICE: "Voice System",
    ChannelType.VIDEO: "Video (Amazon Chime SDK)",
    ChannelType.CHAT: "Live Chat",
    ChannelType.EMAIL: "Email (Amazon SES)",
    ChannelType.SMS: "SMS",
}
"""The display name of each channel (seed 003's `name`)."""

TWILIO_CHANNELS = (ChannelType.SMS, ChannelType.VOICE, ChannelType.WHATSAPP)
MESSAGING_CHANNELS = (ChannelType.CHAT, ChannelType.SMS, ChannelType.WHATSAPP, ChannelType.EMAIL)


def channel_id(channel: ChannelType) -> str:
    """Seed 003's channel id: `<type>-1` (one configuration per type per tenant)."""
    return f"{channel.value}-1"


def hint(secret: str) -> str:
    """A masked form that identifies a credential without revealing it: `…` + its last four
    characters (`…` alone for secrets of eight characters or fewer)."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"


def sid_hint(sid: str) -> str:
    """A Twilio SID's prefix and last four characters: `AC…f3a9`."""
    return f"{sid[:2]}…{sid[-4:]}"


def status_of(item: ChannelConfigItem | None) -> ChannelStatus:
    """The channel's status from its last provider check."""
    if item is None:
        return ChannelStatus.NOT_CONFIGURED
    if item.health == ChannelHealth.HEALTHY:
        return ChannelStatus.CONNECTED
    if item.health == ChannelHealth.UNHEALTHY:
        return ChannelStatus.ERROR
    return ChannelStatus.CONFIGURED


def config_view(item: ChannelConfigItem | None) -> ChannelConfigPublic:
    """The non-secret settings and hints of a configuration (empty for none)."""
    if item is None:
        return ChannelConfigPublic()
    return ChannelConfigPublic(
        phone_number=item.phone_number,
        webhook_url=item.webhook_url,
        from_address=item.from_address,
        from_name=item.from_name,
        reply_to=item.reply_to,
        twilio_account_sid=item.account_sid_hint,
        api_key_hint=item.api_key_hint,
        configured_at=item.configured_at,
    )


def _n(item: ChannelMetricsItem | None, name: str) -> float:
    return float(getattr(item, name) or 0) if item is not None else 0.0


def response_time(item: ChannelMetricsItem | None) -> float | None:
    """Mean first-response seconds (two decimals), None without a sample."""
    samples = _n(item, "response_samples")
    return round(_n(item, "response_seconds") / samples, 2) if samples > 0 else None


def messaging_metrics(item: ChannelMetricsItem | None) -> MessagingMetricsPublic:
    """A conversation channel's counters (0 until its first event)."""
    return MessagingMetricsPublic(
        active_sessions=max(0, int(_n(item, "active_sessions"))),
        total_sessions=int(_n(item, "sessions")),
        total_messages=int(_n(item, "messages")),
        response_time=response_time(item),
    )


def voice_metrics(item: ChannelMetricsItem | None, active_calls: int | None) -> VoiceMetricsPublic:
    """The voice counters and the calls in progress now."""
    return VoiceMetricsPublic(
        active_calls=active_calls,
        total_calls=int(_n(item, "calls")),
        total_minutes=round(_n(item, "talk_seconds") / 60, 1),
        call_quality=None,
    )


def video_metrics(item: ChannelMetricsItem | None) -> VideoMetricsPublic:
    """The video counters (from `video.ended`); sessions in progress are not known."""
    return VideoMetricsPublic(
        active_sessions=None,
        total_sessions=int(_n(item, "sessions")),
        total_minutes=_n(item, "minutes"),
    )
