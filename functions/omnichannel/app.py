"""omnichannel group (DESIGN.md section 4; issue 10 "Seed 003 routes"; seed 003 sections 1 and
8, bare JSON, snake_case): the channels' and integrations' configuration, status and tests
(engage/integrations/). Reads need a viewer; configuring and testing need an admin (README
"Channels and integrations"). Routes that call providers or boto3 are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from engage.core.auth import AdminPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.integrations import health, service
from engage.integrations.schemas import (
    ChannelConfigure,
    ChannelConfiguredPublic,
    ChannelListPublic,
    ChannelStatusPublic,
    ChannelType,
    IntegrationListPublic,
    IntegrationTest,
    IntegrationTestPublic,
    IntegrationType,
    ShopifyConfigure,
    ShopifyConfiguredPublic,
)

router = APIRouter(tags=["omnichannel"])

ChannelPath = Annotated[ChannelType, Path(alias="channelType", description="the channel")]
IntegrationPath = Annotated[
    IntegrationType, Path(alias="integrationType", description="the integration")
]


@router.get("/channels/integrations")
def list_channels(principal: ViewerPrincipal) -> ChannelListPublic:
    """Every configured channel (chat always) with its status, non-secret settings and masked
    hints, and its metrics from the event counters (null: not known)."""
    return service.list_channels(principal.tenant_id)


@router.post("/channels/{channelType}/configure")
def configure_channel(
    channel: ChannelPath, body: ChannelConfigure, principal: AdminPrincipal
) -> ChannelConfiguredPublic:
    """Configure a channel (replacing its previous settings); credentials go to Secrets
    Manager. 400 for a field the channel does not use or needs, a number that is not E.164, a
    webhook URL that is not https on a public host; 409 for another account's number."""
    return service.configure(principal.tenant_id, channel, body)


@router.get("/channels/{channelType}/status")
def channel_status(channel: ChannelPath, principal: ViewerPrincipal) -> ChannelStatusPublic:
    """The channel's health from a provider check reused for `cache_seconds`."""
    return health.channel_status(principal.tenant_id, channel)


@router.get("/integrations/status")
def integrations_status(principal: ViewerPrincipal) -> IntegrationListPublic:
    """twilio, whatsapp, ses, chime and shopify, with their status and last sync."""
    return health.integrations_status(principal.tenant_id)


@router.post("/integrations/shopify/configure")
def configure_shopify(body: ShopifyConfigure, principal: AdminPrincipal) -> ShopifyConfiguredPublic:
    """Connect a Shopify shop (`<shop>.myshopify.com`) and the secret its webhooks are signed
    with. 409 when the shop is connected to another account."""
    return service.configure_shopify(principal.tenant_id, body)


@router.post("/integrations/{integrationType}/test")
def test_integration(
    integration: IntegrationPath, principal: AdminPrincipal, body: IntegrationTest | None = None
) -> IntegrationTestPublic:
    """Call the provider with the given credentials, else the stored ones: `success`, what
    it answered, and the latency in ms (a refusal is `success: false`, never an error)."""
    return health.test_integration(principal.tenant_id, integration, body or IntegrationTest())


app = create_app("omnichannel", [router])
handler = http_handler(app)
