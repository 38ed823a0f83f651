"""Channel and integration storage (models.py): single-item writes, conditional where two
writers could race (look-up claims, session moves), counters as atomic ADDs."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from engage.core import keys
from engage.integrations.models import (
    ChannelConfigItem,
    ChannelMetricsItem,
    ChannelSessionItem,
    IntegrationItem,
    OwnerLookupItem,
)

_CONDITION_FAILED = "ConditionalCheckFailedException"


# -- channel configurations --------------------------------------------------------------------
def put_config(item: ChannelConfigItem) -> None:
    """Write (replace) a channel's configuration."""
    item.save()


def get_config(tenant_id: str, channel: str) -> ChannelConfigItem | None:
    """A channel's configuration, or None."""
    try:
        return ChannelConfigItem.get(
            *keys.channel_config_key(tenant_id, channel), consistent_read=True
        )
    except ChannelConfigItem.DoesNotExist:
        return None


def list_configs(tenant_id: str) -> list[ChannelConfigItem]:
    """Every configured channel of the tenant (six at most)."""
    return list(ChannelConfigItem.query(keys.channel_config_partition(tenant_id)))


def record_probe(
    item: ChannelConfigItem, checked_at: str, health: str, detail: str | None, healthy: bool
) -> bool:
    """Store a provider check on the configuration (and `last_ping` when it was healthy),
    unless the configuration was replaced meanwhile; False then."""
    actions: list[Any] = [
        ChannelConfigItem.checked_at.set(checked_at),
        ChannelConfigItem.health.set(health),
    ]
    actions.append(
        ChannelConfigItem.health_detail.set(detail)
        if detail
        else ChannelConfigItem.health_detail.remove()
    )
    if healthy:
        actions.append(ChannelConfigItem.last_ping.set(checked_at))
    try:
        item.update(
            actions=actions,
            condition=ChannelConfigItem.configured_at == item.configured_at,
        )
    except UpdateError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


# -- global owner look-ups (shops, inbound numbers) --------------------------------------------
def claim_owner(key: tuple[str, str], tenant_id: str, at: str) -> bool:
    """Make `tenant_id` the owner of the look-up `key` unless another tenant owns it; True
    when the tenant owns it now."""
    item = OwnerLookupItem(*key, tenant_id=tenant_id, claimed_at=at)
    try:
        item.save(
            condition=OwnerLookupItem.pk.does_not_exist() | (OwnerLookupItem.tenant_id == tenant_id)
        )
    except PutError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


def release_owner(key: tuple[str, str], tenant_id: str) -> None:
    """Drop the look-up `key` if `tenant_id` owns it (idempotent)."""
    try:
        OwnerLookupItem(*key).delete(condition=OwnerLookupItem.tenant_id == tenant_id)
    except DeleteError as exc:
        if exc.cause_response_code != _CONDITION_FAILED:
            raise


def owner_of(key: tuple[str, str]) -> str | None:
    """The tenant that owns the look-up `key`, or None."""
    try:
        return str(OwnerLookupItem.get(*key).tenant_id)
    except OwnerLookupItem.DoesNotExist:
        return None


# -- metrics counters --------------------------------------------------------------------------
def add_metrics(tenant_id: str, channel: str, deltas: dict[str, float]) -> None:
    """ADD `deltas` (ChannelMetricsItem attribute -> amount) to the channel's counters."""
    actions: list[Any] = [getattr(ChannelMetricsItem, name).add(n) for name, n in deltas.items()]
    if actions:
        ChannelMetricsItem(*keys.channel_metrics_key(tenant_id, channel)).update(actions=actions)


def list_metrics(tenant_id: str) -> dict[str, ChannelMetricsItem]:
    """The tenant's counters by channel (channels never counted are absent)."""
    items = ChannelMetricsItem.query(
        keys.channel_metrics_partition(tenant_id), consistent_read=True
    )
    return {item.sk: item for item in items}


def get_session(tenant_id: str, conversation_id: str) -> ChannelSessionItem | None:
    """The conversation's last counted channel and activity, or None."""
    try:
        return ChannelSessionItem.get(
            *keys.channel_session_key(tenant_id, conversation_id), consistent_read=True
        )
    except ChannelSessionItem.DoesNotExist:
        return None


def put_session(
    tenant_id: str,
    conversation_id: str,
    channel: str,
    active: bool,
    at: str,
    event_id: str,
    before: tuple[str | None, bool],
    expected_version: int | None,
) -> bool:
    """Record the conversation's channel and activity as of event `event_id` at `at` (and
    what they were `before` it), if the item is still at `expected_version` (None: if it does
    not exist); False when another event moved it first."""
    item = ChannelSessionItem(
        *keys.channel_session_key(tenant_id, conversation_id),
        channel=channel,
        active=active,
        at=at,
        event_id=event_id,
        prev_channel=before[0],
        prev_active=before[1],
        version=(expected_version or 0) + 1,
    )
    condition = (
        ChannelSessionItem.pk.does_not_exist()
        if expected_version is None
        else ChannelSessionItem.version == expected_version
    )
    try:
        item.save(condition=condition)
    except PutError as exc:
        if exc.cause_response_code == _CONDITION_FAILED:
            return False
        raise
    return True


# -- integrations ------------------------------------------------------------------------------
def get_integration(tenant_id: str, integration: str) -> IntegrationItem | None:
    """An integration's item, or None."""
    try:
        return IntegrationItem.get(
            *keys.integration_key(tenant_id, integration), consistent_read=True
        )
    except IntegrationItem.DoesNotExist:
        return None


def list_integrations(tenant_id: str) -> dict[str, IntegrationItem]:
    """The tenant's integration items by type."""
    items = IntegrationItem.query(keys.integration_partition(tenant_id), consistent_read=True)
    return {item.sk: item for item in items}


def set_last_sync(tenant_id: str, integration: str, at: str) -> None:
    """Record a successful check or a webhook received (creates the item when first)."""
    IntegrationItem(*keys.integration_key(tenant_id, integration)).update(
        actions=[IntegrationItem.last_sync.set(at)]
    )


def put_shopify(tenant_id: str, shop_domain: str, secret_name: str, at: str) -> None:
    """Set the tenant's Shopify shop and where its webhook secret is."""
    IntegrationItem(*keys.integration_key(tenant_id, "shopify")).update(
        actions=[
            IntegrationItem.shop_domain.set(shop_domain),
            IntegrationItem.secret_name.set(secret_name),
            IntegrationItem.configured_at.set(at),
        ]
    )
