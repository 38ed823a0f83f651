"""Channel and integration health (issue 10; seed 003 `GET /channels/{channelType}/status`,
`GET /integrations/status`, `POST /integrations/{integrationType}/test`).

A channel's health is a real provider check (probes.py: Twilio with the tenant's stored
credentials for sms, voice and whatsapp; SES for email, or the sandbox when EMAIL_PROVIDER is
`sandbox`; Chime SDK Meetings for video; our own table for chat), stored on the channel's
configuration item and reused for the item's `probe_ttl_seconds` (CHANNEL_PROBE_TTL_SECONDS when
it was configured; `cache_seconds` in the answer). A healthy check is the integration's
`last_sync`, as is a webhook received (`service.mark_synced`). A test calls the provider with
the credentials given, else the stored ones, and never fails with a 500: what the provider
says is the answer (`success: false` and its reason).
"""

from __future__ import annotations

import datetime as dt

from engage.core import clock
from engage.core.errors import ValidationFailed
from engage.core.settings import get_settings
from engage.integrations import probes, secrets_port, service, store, validation, views
from engage.integrations.models import ChannelConfigItem
from engage.integrations.probes import ProbeResult
from engage.integrations.schemas import (
    ChannelHealth,
    ChannelStatus,
    ChannelStatusPublic,
    ChannelType,
    IntegrationListPublic,
    IntegrationPublic,
    IntegrationTest,
    IntegrationTestPublic,
    IntegrationType,
)

INTEGRATION_CHANNELS = {
    IntegrationType.TWILIO: (ChannelType.SMS, ChannelType.VOICE),
    IntegrationType.WHATSAPP: (ChannelType.WHATSAPP,),
    IntegrationType.SES: (ChannelType.EMAIL,),
    IntegrationType.CHIME: (ChannelType.VIDEO,),
}
"""The channels each provider integration serves."""
CHANNEL_INTEGRATION = {c: i for i, cs in INTEGRATION_CHANNELS.items() for c in cs}


def _stored_credentials(item: ChannelConfigItem | None) -> dict[str, str] | None:
    if item is None or not item.secret_name:
        return None
    return secrets_port.get(item.secret_name)


def _probe(channel: ChannelType, item: ChannelConfigItem) -> ProbeResult:
    if channel in views.TWILIO_CHANNELS:
        creds = _stored_credentials(item)
        if not creds or not creds.get("account_sid") or not creds.get("auth_token"):
            return ProbeResult(False, "No Twilio credentials are stored for this channel")
        number = item.phone_number if channel is not ChannelType.WHATSAPP else None
        return probes.twilio(creds["account_sid"], creds["auth_token"], number)
    if channel is ChannelType.EMAIL:
        if get_settings().email_provider == "sandbox":
            return ProbeResult(True, "Sandbox provider: e-mail goes to the local outbox")
        return probes.ses(item.from_address)
    if channel is ChannelType.VIDEO:
        return probes.chime()
    return probes.table()


def _fresh(item: ChannelConfigItem) -> bool:
    if not item.checked_at:
        return False
    checked = dt.datetime.fromisoformat(item.checked_at.replace("Z", "+00:00"))
    return (clock.now() - checked).total_seconds() < float(item.probe_ttl_seconds or 0)


def _active_sessions(tenant_id: str, channel: ChannelType) -> int | None:
    if channel is ChannelType.VIDEO:
        return None
    if channel is ChannelType.VOICE:
        return service.active_calls(tenant_id)
    counters = store.list_metrics(tenant_id).get(channel.value)
    return views.messaging_metrics(counters).active_sessions


def check(tenant_id: str, channel: ChannelType, item: ChannelConfigItem) -> None:
    """Check the provider now if the stored check is stale, and store the outcome on `item`."""
    if _fresh(item):
        return
    result = _probe(channel, item)
    at = clock.now_iso()
    health = ChannelHealth.HEALTHY if result.ok else ChannelHealth.UNHEALTHY
    store.record_probe(item, at, health.value, None if result.ok else result.detail, result.ok)
    item.checked_at, item.health = at, health.value
    item.health_detail = None if result.ok else result.detail
    if result.ok:
        item.last_ping = at
        if channel in CHANNEL_INTEGRATION:
            service.mark_synced(tenant_id, CHANNEL_INTEGRATION[channel].value)


def channel_status(tenant_id: str, channel: ChannelType) -> ChannelStatusPublic:
    """Seed 003's channel status (see the module docstring); `not_configured` for a channel
    the tenant did not configure, except chat, which Engage itself serves."""
    item = store.get_config(tenant_id, channel.value)
    ttl = int(item.probe_ttl_seconds) if item else get_settings().channel_probe_ttl_seconds
    active = _active_sessions(tenant_id, channel)
    if item is None and channel is not ChannelType.CHAT:
        return ChannelStatusPublic(
            channel_type=channel,
            status=ChannelStatus.NOT_CONFIGURED,
            last_ping=None,
            health=ChannelHealth.UNKNOWN,
            active_sessions=active,
            cache_seconds=ttl,
        )
    if item is None:  # chat without settings: nowhere to keep a check, and it costs one call
        result = probes.table()
        return ChannelStatusPublic(
            channel_type=channel,
            status=ChannelStatus.CONNECTED if result.ok else ChannelStatus.ERROR,
            last_ping=clock.now_iso() if result.ok else None,
            health=ChannelHealth.HEALTHY if result.ok else ChannelHealth.UNHEALTHY,
            active_sessions=active,
            detail=None if result.ok else result.detail,
            cache_seconds=0,
        )
    check(tenant_id, channel, item)
    return ChannelStatusPublic(
        channel_type=channel,
        status=views.status_of(item),
        last_ping=item.last_ping,
        health=ChannelHealth(item.health or ChannelHealth.UNKNOWN),
        active_sessions=active,
        detail=item.health_detail,
        cache_seconds=ttl,
    )


def integrations_status(tenant_id: str) -> IntegrationListPublic:
    """Each integration's status (from its channels' last checks; Shopify: `connected` once a
    webhook arrived) and `last_sync`."""
    configs = {item.channel: item for item in store.list_configs(tenant_id)}
    synced = store.list_integrations(tenant_id)
    out = []
    for kind in IntegrationType:
        record = synced.get(kind.value)
        last_sync = record.last_sync if record is not None else None
        if kind is IntegrationType.SHOPIFY:
            if record is None or not record.shop_domain:
                status = ChannelStatus.NOT_CONFIGURED
            else:
                status = ChannelStatus.CONNECTED if last_sync else ChannelStatus.CONFIGURED
        else:
            found = [views.status_of(configs.get(c.value)) for c in INTEGRATION_CHANNELS[kind]]
            found = [s for s in found if s is not ChannelStatus.NOT_CONFIGURED]
            if not found:
                status = ChannelStatus.NOT_CONFIGURED
            elif ChannelStatus.ERROR in found:
                status = ChannelStatus.ERROR
            elif ChannelStatus.CONNECTED in found:
                status = ChannelStatus.CONNECTED
            else:
                status = ChannelStatus.CONFIGURED
        out.append(IntegrationPublic(type=kind, status=status, last_sync=last_sync))
    return IntegrationListPublic(integrations=out)


def _answer(result: ProbeResult) -> IntegrationTestPublic:
    return IntegrationTestPublic(
        success=result.ok, test_result=result.detail, latency=result.latency_ms
    )


def _test_twilio(
    tenant_id: str, kind: IntegrationType, body: IntegrationTest
) -> IntegrationTestPublic:
    phone = validation.e164(body.phone_number) if body.phone_number else None
    sid = validation.account_sid(body.account_sid) if body.account_sid else None
    token = body.api_key.get_secret_value() if body.api_key else None
    stored: dict[str, str] = {}
    for channel in INTEGRATION_CHANNELS[kind]:
        stored = _stored_credentials(store.get_config(tenant_id, channel.value)) or {}
        if stored:
            break
    sid, token = sid or stored.get("account_sid"), token or stored.get("auth_token")
    if not sid or not token:
        channels = " or ".join(c.value for c in INTEGRATION_CHANNELS[kind])
        return IntegrationTestPublic(
            success=False,
            test_result=f"No credentials: give account_sid and api_key, or configure {channels}",
            latency=None,
        )
    result = probes.twilio(sid, token, phone if kind is IntegrationType.TWILIO else None)
    if (
        result.ok
        and stored
        and (sid, token) == (stored.get("account_sid"), stored.get("auth_token"))
    ):
        service.mark_synced(tenant_id, kind.value)
    return _answer(result)


def test_integration(
    tenant_id: str, kind: IntegrationType, body: IntegrationTest
) -> IntegrationTestPublic:
    """Seed 003's integration test (see the module docstring). Raises ValidationFailed (400)
    for a malformed number or SID, or fields the integration does not use."""
    if kind in (IntegrationType.TWILIO, IntegrationType.WHATSAPP):
        return _test_twilio(tenant_id, kind, body)
    unused = sorted(name for name, value in body if value is not None)
    if unused:
        raise ValidationFailed(
            f"Invalid {kind.value} test", {n: f"is not used by {kind.value}" for n in unused}
        )
    if kind is IntegrationType.SES:
        email = store.get_config(tenant_id, ChannelType.EMAIL.value)
        result = probes.ses(email.from_address if email else None)
    elif kind is IntegrationType.CHIME:
        result = probes.chime()
    else:
        shop = store.get_integration(tenant_id, IntegrationType.SHOPIFY.value)
        if shop is None or not shop.shop_domain:
            return IntegrationTestPublic(
                success=False, test_result="Shopify is not configured", latency=None
            )
        heard = f"; last webhook at {shop.last_sync}" if shop.last_sync else "; no webhook yet"
        return IntegrationTestPublic(
            success=True,
            test_result=f"Shop {shop.shop_domain} is connected (Engage holds no Shopify API "
            f"token to call it with){heard}",
            latency=None,
        )
    if result.ok:
        service.mark_synced(tenant_id, kind.value)
    return _answer(result)
