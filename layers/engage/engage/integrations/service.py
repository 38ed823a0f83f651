"""Channel and integration configuration (issue 10 "Seed 003 routes"; seed 003 sections 1 and
8) and the look-ups other parts of Engage call.

- `configure` validates a channel's settings per type (validation.py; schemas.ChannelConfigure
  says which fields each type takes), claims its inbound number (a global look-up: another
  tenant's number is a 409), stores the credentials as the tenant's secret for the channel
  (secrets_port.py) and replaces the configuration item, which keeps masked hints only. The
  previous number's look-up goes when the number changes.
- `list_channels` answers each configured channel (chat always) with its counters.
- `configure_shopify` maps a shop to the tenant the same way (409 for another tenant's shop)
  and keeps the webhook secret in Secrets Manager.
- For other helpers: `channel_config`, `credentials`, `tenant_for_number`, `shopify_shop`,
  `mark_synced` (signatures fixed by issue 10's brief).
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.core import clock, keys
from engage.core.errors import Conflict, ValidationFailed
from engage.core.settings import get_settings
from engage.integrations import secrets_port, store, validation, views
from engage.integrations.models import ChannelConfigItem, ChannelMetricsItem
from engage.integrations.schemas import (
    ChannelConfigure,
    ChannelConfiguredPublic,
    ChannelListPublic,
    ChannelPublic,
    ChannelStatus,
    ChannelType,
    IntegrationType,
    MessagingMetricsPublic,
    ShopifyConfigure,
    ShopifyConfiguredPublic,
    VideoMetricsPublic,
    VoiceMetricsPublic,
)

_TWILIO_FIELDS = frozenset({"phone_number", "webhook_url", "api_key", "account_sid"})
_FIELDS = {
    **dict.fromkeys(views.TWILIO_CHANNELS, _TWILIO_FIELDS),
    ChannelType.EMAIL: frozenset({"from_address", "from_name", "reply_to", "webhook_url"}),
    ChannelType.VIDEO: frozenset({"webhook_url"}),
    ChannelType.CHAT: frozenset({"webhook_url"}),
}
"""The fields each channel takes (schemas.ChannelConfigure)."""
_REQUIRED = {
    **dict.fromkeys(views.TWILIO_CHANNELS, frozenset({"phone_number", "api_key", "account_sid"})),
    ChannelType.EMAIL: frozenset({"from_address"}),
}
"""The fields each channel needs."""
SHOPIFY = "shopify"


@dataclass(frozen=True)
class ChannelConfigView:
    """A channel's non-secret settings (for senders and webhooks); ISO 8601 `configured_at`."""

    channel: str
    phone_number: str | None
    webhook_url: str | None
    from_address: str | None
    from_name: str | None
    reply_to: str | None
    configured_at: str


def _check_fields(channel: ChannelType, body: ChannelConfigure) -> None:
    given = {name for name, value in body if value is not None}
    details = {
        name: f"is not used by the {channel.value} channel" for name in given - _FIELDS[channel]
    }
    details.update(
        {
            name: f"is required for the {channel.value} channel"
            for name in _REQUIRED.get(channel, frozenset()) - given
        }
    )
    if details:
        raise ValidationFailed(
            f"Invalid {channel.value} configuration", dict(sorted(details.items()))
        )


def _item(tenant_id: str, channel: ChannelType, body: ChannelConfigure) -> ChannelConfigItem:
    """The validated configuration item (no secret in it)."""
    item = ChannelConfigItem(
        *keys.channel_config_key(tenant_id, channel.value),
        channel=channel.value,
        configured_at=clock.now_iso(),
        probe_ttl_seconds=get_settings().channel_probe_ttl_seconds,
    )
    if body.phone_number is not None:
        item.phone_number = validation.e164(body.phone_number)
    if body.webhook_url is not None:
        item.webhook_url = validation.webhook_url(body.webhook_url)
    if body.account_sid is not None:
        item.account_sid_hint = views.sid_hint(validation.account_sid(body.account_sid))
    if body.api_key is not None:
        item.api_key_hint = views.hint(body.api_key.get_secret_value())
    if body.from_address is not None:
        item.from_address = validation.email(body.from_address, "from_address")
    if body.reply_to is not None:
        item.reply_to = validation.email(body.reply_to, "reply_to")
    if body.from_name is not None:
        item.from_name = body.from_name.strip()
    return item


def configure(
    tenant_id: str, channel: ChannelType, body: ChannelConfigure
) -> ChannelConfiguredPublic:
    """Configure (or reconfigure: everything is replaced) a channel; see the module docstring.
    Raises ValidationFailed (400), Conflict (409: the number is another tenant's)."""
    _check_fields(channel, body)
    item = _item(tenant_id, channel, body)
    old = store.get_config(tenant_id, channel.value)
    old_number = old.phone_number if old is not None else None
    claimed = None  # a look-up this call made (given back if the rest fails)
    if item.phone_number:
        number_key = keys.inbound_number_key(channel.value, item.phone_number)
        claimed = number_key if item.phone_number != old_number else None
        if not store.claim_owner(number_key, tenant_id, item.configured_at):
            raise Conflict(
                "This number is already configured by another account",
                {"phone_number": "belongs to another account"},
            )
    try:
        if body.api_key is not None and body.account_sid is not None:
            name = keys.channel_secret_name(
                get_settings().channel_secrets_prefix, tenant_id, channel.value
            )
            secret = {
                "account_sid": body.account_sid.strip(),
                "auth_token": body.api_key.get_secret_value(),
            }
            secrets_port.put(name, secret, tenant_id)
            item.secret_name = name
        store.put_config(item)
    except Exception:
        if claimed is not None:
            store.release_owner(claimed, tenant_id)
        raise
    if old_number and old_number != item.phone_number:
        store.release_owner(keys.inbound_number_key(channel.value, old_number), tenant_id)
    return ChannelConfiguredPublic(
        channel_id=views.channel_id(channel), status=ChannelStatus.CONFIGURED
    )


def _status(channel: ChannelType, item: ChannelConfigItem | None) -> ChannelStatus:
    status = views.status_of(item)
    if channel is ChannelType.CHAT and status in (
        ChannelStatus.NOT_CONFIGURED,
        ChannelStatus.CONFIGURED,
    ):
        status = ChannelStatus.CONNECTED  # chat runs on Engage itself: always available
    return status


def channel_statuses(tenant_id: str) -> dict[ChannelType, ChannelStatus]:
    """The status of each channel `list_channels` lists (the configured ones, chat always),
    without their counters: one Query of the tenant's configurations."""
    configs = {item.channel: item for item in store.list_configs(tenant_id)}
    return {
        channel: _status(channel, configs.get(channel.value))
        for channel in ChannelType
        if channel is ChannelType.CHAT or channel.value in configs
    }


def list_channels(tenant_id: str) -> ChannelListPublic:
    """Every configured channel, chat always, in seed 003's order, with its counters."""
    configs = {item.channel: item for item in store.list_configs(tenant_id)}
    counters = store.list_metrics(tenant_id)
    out = []
    for channel in ChannelType:
        item = configs.get(channel.value)
        if item is None and channel is not ChannelType.CHAT:
            continue
        status = _status(channel, item)
        out.append(
            ChannelPublic(
                id=views.channel_id(channel),
                type=channel,
                name=views.NAMES[channel],
                status=status,
                config=views.config_view(item),
                metrics=metrics_of(tenant_id, channel, counters.get(channel.value)),
            )
        )
    return ChannelListPublic(channels=out)


def metrics_of(
    tenant_id: str, channel: ChannelType, item: ChannelMetricsItem | None
) -> MessagingMetricsPublic | VoiceMetricsPublic | VideoMetricsPublic:
    """The channel's metrics view (per type; views.py)."""
    if channel is ChannelType.VOICE:
        return views.voice_metrics(item, active_calls(tenant_id))
    if channel is ChannelType.VIDEO:
        return views.video_metrics(item)
    return views.messaging_metrics(item)


def active_calls(tenant_id: str) -> int | None:
    """Calls holding a slot of the tenant's voice semaphore now (engage/voice/concurrency.py)."""
    from engage.voice.concurrency import concurrency

    return int(concurrency(tenant_id)["user_active_calls"])


# -- Shopify -----------------------------------------------------------------------------------
def configure_shopify(tenant_id: str, body: ShopifyConfigure) -> ShopifyConfiguredPublic:
    """Map the shop to the tenant and keep its webhook secret (see the module docstring).
    Raises ValidationFailed (400), Conflict (409: another tenant's shop)."""
    domain = validation.shop_domain(body.shop_domain)
    at = clock.now_iso()
    if not store.claim_owner(keys.shop_lookup_key(domain), tenant_id, at):
        raise Conflict(
            "This shop is already connected to another account",
            {"shop_domain": "belongs to another account"},
        )
    name = keys.channel_secret_name(get_settings().channel_secrets_prefix, tenant_id, SHOPIFY)
    secrets_port.put(name, {"webhook_secret": body.webhook_secret.get_secret_value()}, tenant_id)
    before = store.get_integration(tenant_id, SHOPIFY)
    store.put_shopify(tenant_id, domain, name, at)
    if before is not None and before.shop_domain and before.shop_domain != domain:
        store.release_owner(keys.shop_lookup_key(before.shop_domain), tenant_id)
    return ShopifyConfiguredPublic(shop_domain=domain, status=ChannelStatus.CONFIGURED)


def shopify_shop(shop_domain: str) -> tuple[str, str] | None:
    """`(tenant_id, webhook_secret)` of the shop (`X-Shopify-Shop-Domain`), or None when no
    tenant connected it."""
    domain = shop_domain.strip().lower()
    tenant_id = store.owner_of(keys.shop_lookup_key(domain))
    if tenant_id is None:
        return None
    item = store.get_integration(tenant_id, SHOPIFY)
    if item is None or item.shop_domain != domain or not item.secret_name:
        return None
    secret = secrets_port.get(item.secret_name)
    if not secret or not secret.get("webhook_secret"):
        return None
    return tenant_id, secret["webhook_secret"]


def mark_synced(tenant_id: str, integration: str) -> None:
    """Record that `integration` (an IntegrationType value) was just heard from: a webhook
    received or a successful check (its `last_sync`). Raises ValueError for an unknown type."""
    store.set_last_sync(tenant_id, IntegrationType(integration).value, clock.now_iso())


# -- look-ups for senders and inbound webhooks -------------------------------------------------
def channel_config(tenant_id: str, channel: str) -> ChannelConfigView | None:
    """The channel's non-secret settings, or None when the tenant did not configure it."""
    item = store.get_config(tenant_id, channel)
    if item is None:
        return None
    return ChannelConfigView(
        channel=item.channel,
        phone_number=item.phone_number,
        webhook_url=item.webhook_url,
        from_address=item.from_address,
        from_name=item.from_name,
        reply_to=item.reply_to,
        configured_at=item.configured_at,
    )


def credentials(tenant_id: str, channel: str) -> dict[str, str] | None:
    """The channel's credentials from Secrets Manager (Twilio channels: `{"account_sid",
    "auth_token"}`), or None when it has none. Never log or return them."""
    item = store.get_config(tenant_id, channel)
    if item is None or not item.secret_name:
        return None
    return secrets_port.get(item.secret_name)


def tenant_for_number(e164: str, channel: str) -> str | None:
    """The tenant whose `channel` configuration has the inbound number `e164`, or None (an
    inbound SMS / WhatsApp webhook routes by its `To`)."""
    return store.owner_of(keys.inbound_number_key(channel, e164))
