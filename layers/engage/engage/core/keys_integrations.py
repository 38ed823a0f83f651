"""Key builders of channel and integration configuration (issue 10 "Seed 003 routes"),
re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md
rule 5).

Tenant items:
- `T#<t>#CHAN` / `<channel>`: one channel's configuration and its last provider check;
- `T#<t>#CHM` / `<channel>`: the channel's metrics counters (engage/integrations/consumer.py);
- `T#<t>#CHS#<conversationId>` / `SESSION`: the channel and activity of one conversation as the
  counters last saw them (so a status move or a transfer moves the active-session counter);
- `T#<t>#INTEG` / `<integration>`: an integration's last sync and the Shopify shop.

Global look-up items (their callers have no tenant yet):
- `SHOP#<shopDomain>` / `SHOP`: which tenant a Shopify shop's webhooks belong to;
- `NUMBER#<channel>#<e164>` / `NUMBER`: which tenant owns an inbound number on a channel.

Secret names (Secrets Manager, never in the table): `<prefix>/<tenantId>/<name>`.
"""

from __future__ import annotations

CHANNEL_SESSION_SK = "SESSION"


def channel_config_partition(tenant_id: str) -> str:
    """The tenant's channel configurations; sort key is the channel type."""
    return f"T#{tenant_id}#CHAN"


def channel_config_key(tenant_id: str, channel: str) -> tuple[str, str]:
    """One channel's configuration item."""
    return channel_config_partition(tenant_id), channel


def channel_metrics_partition(tenant_id: str) -> str:
    """The tenant's per-channel metrics counters; sort key is the channel type."""
    return f"T#{tenant_id}#CHM"


def channel_metrics_key(tenant_id: str, channel: str) -> tuple[str, str]:
    """One channel's metrics counters."""
    return channel_metrics_partition(tenant_id), channel


def channel_session_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """A conversation's channel and activity as the metrics counters last counted them."""
    return f"T#{tenant_id}#CHS#{conversation_id}", CHANNEL_SESSION_SK


def integration_partition(tenant_id: str) -> str:
    """The tenant's integration items; sort key is the integration type."""
    return f"T#{tenant_id}#INTEG"


def integration_key(tenant_id: str, integration: str) -> tuple[str, str]:
    """One integration's item (last sync; the Shopify shop)."""
    return integration_partition(tenant_id), integration


def shop_lookup_key(shop_domain: str) -> tuple[str, str]:
    """Global: a Shopify shop domain (lower case) -> the tenant its webhooks belong to."""
    return f"SHOP#{shop_domain.lower()}", "SHOP"


def inbound_number_key(channel: str, e164: str) -> tuple[str, str]:
    """Global: an inbound number (E.164) on a channel -> the tenant that owns it."""
    return f"NUMBER#{channel}#{e164}", "NUMBER"


def channel_secret_name(prefix: str, tenant_id: str, name: str) -> str:
    """The Secrets Manager name of a tenant's credentials for `name` (a channel or
    `shopify`), under the deployment's prefix (CHANNEL_SECRET_PREFIX)."""
    return f"{prefix.rstrip('/')}/{tenant_id}/{name}"
