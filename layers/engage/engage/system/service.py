"""`GET /health` (checks DynamoDB and SQS for real) and `GET /capabilities` (seed 003 section 7)."""

from __future__ import annotations

import time
from typing import Any

from engage.core.settings import Settings, get_settings
from engage.core.version import engage_version
from engage.system import probes
from engage.system.schemas import ChannelName, Feature

_STARTED = time.monotonic()
PAGE_SIZE_MAX = 100
"""The largest page any list route serves (`pageSize` / `limit`)."""


def health() -> tuple[dict[str, Any], bool]:
    """`({status, services: {database, queue, webhooks, events}, uptime}, healthy)` (seed 003
    section 7): each service from one real call (system/probes.py), `up` or `down`; uptime in
    seconds since this process started."""
    checks = {
        "database": probes.table_reachable,
        "queue": probes.send_queue_reachable,
        "webhooks": probes.receipts_queue_reachable,
        "events": probes.event_bus_reachable,
    }
    services = {name: "up" if check() else "down" for name, check in checks.items()}
    healthy = all(v == "up" for v in services.values())
    return {
        "status": "healthy" if healthy else "degraded",
        "services": services,
        "uptime": round(time.monotonic() - _STARTED, 1),
    }, healthy


def capabilities() -> dict[str, Any]:
    """What this deployment offers (seed 003 section 7), derived from its configuration:

    `{channels: ["sms", "voice", ...], channelDetails: {channel: {enabled, provider}},
    features, limits: {importMaxBytes, importSyncMaxRows, pageSizeMax}, version}`. A channel
    is enabled when its pipeline is deployed (queues, state machine) and its provider has what
    it needs; WhatsApp on Twilio and e-mail on SES are enabled with their provider (tenants
    bring their own senders through `POST /channels/{type}/configure`); chat is built in;
    `version` is the package version (core/version.py).
    """
    settings = get_settings()
    providers = {
        ChannelName.SMS: _sms_provider(settings),
        ChannelName.VOICE: _voice_provider(settings),
        ChannelName.WHATSAPP: settings.whatsapp_provider,
        ChannelName.EMAIL: settings.email_provider,
        ChannelName.CHAT: "engage",
        ChannelName.VIDEO: settings.video_provider,
    }
    return {
        "channels": [name.value for name, provider in providers.items() if provider],
        "channelDetails": {
            name.value: {"enabled": provider is not None, "provider": provider}
            for name, provider in providers.items()
        },
        "features": [f.value for f in _features(settings, providers)],
        "limits": {
            "importMaxBytes": settings.import_max_bytes,
            "importSyncMaxRows": settings.import_sync_max_rows,
            "pageSizeMax": PAGE_SIZE_MAX,
        },
        "version": engage_version(),
    }


def _sms_provider(settings: Settings) -> str | None:
    """The SMS provider if SMS can send: dispatch and send queue deployed, Twilio credentialed."""
    if not (settings.dispatch_state_machine_arn and settings.send_queue_url):
        return None
    if settings.sms_provider == "twilio" and not (
        settings.twilio_account_sid and (settings.twilio_auth_token or settings.twilio_secret_arn)
    ):
        return None
    return settings.sms_provider


def _voice_provider(settings: Settings) -> str | None:
    """The voice provider if calls can be placed: the call state machine deployed, and the
    sandbox's callback queue, or Twilio's account, caller number and agent URL, configured."""
    if not settings.voice_state_machine_arn:
        return None
    if settings.voice_provider == "sandbox":
        return "sandbox" if settings.voice_sandbox_queue_url else None
    twilio_ready = (
        settings.twilio_account_sid
        and (settings.twilio_auth_token or settings.twilio_secret_arn)
        and settings.twilio_voice_from_number
        and settings.twilio_voice_agent_url
    )
    return "twilio" if twilio_ready else None


def _features(settings: Settings, providers: dict[ChannelName, str | None]) -> list[Feature]:
    """The features whose resources this deployment has."""
    sms, voice = providers[ChannelName.SMS], providers[ChannelName.VOICE]
    events = bool(settings.event_bus_name)
    scheduler = bool(
        settings.scheduler_group
        and settings.scheduler_role_arn
        and settings.scheduled_dispatch_function_arn
    )
    available = {
        Feature.CONTACTS: True,
        Feature.CONTACTS_IMPORT: bool(settings.import_queue_url and settings.import_bucket),
        Feature.SEGMENTS: True,
        Feature.CAMPAIGNS: bool(sms),
        Feature.SCHEDULED_CAMPAIGNS: bool(sms) and scheduler,
        Feature.RECURRING_CAMPAIGNS: bool(sms) and scheduler,
        Feature.SHORT_LINKS: bool(sms and settings.url_shortener_base_url),
        Feature.DELIVERY_RECEIPTS: bool(sms and settings.receipts_queue_url),
        Feature.OPT_OUT_KEYWORDS: bool(sms),
        Feature.DASHBOARD: True,
        Feature.TEMPLATES: True,
        Feature.AUTOMATIONS_STORAGE: True,
        Feature.VOICE_CAMPAIGNS: bool(voice),
        Feature.CALL_QUEUE: bool(voice),
        Feature.CONCURRENT_CALL_LIMITS: bool(voice),
        # The hub's features run on the event bus's consumers (issue 11).
        Feature.SESSION_TRANSFER: True,
        Feature.ANALYTICS: events,
        Feature.ROUTING: events,
        Feature.NOTIFICATIONS: events,
        Feature.CUSTOMER_SATISFACTION: events,
        Feature.REALTIME: events and bool(settings.realtime_endpoint),
        Feature.CAMPAIGN_ATTRIBUTION: events and bool(sms),
    }
    return [feature for feature, present in available.items() if present]
