"""Campaigns on several channels: choosing them (`PUT /campaigns/{id}/channels`), the
campaign's omnichannel view (`GET /campaigns/{id}/omnichannel`) and its counts per channel
(seed 003 section 5; issue 10 "Campaigns on any channel"). Sending is the SMS pipeline's:
`enqueue`, `dispatch`, `sender` and `channel_send`; the plan is `channel_plan`'s.
"""

from __future__ import annotations

from typing import Any

from engage.campaigns import store
from engage.campaigns.channel_plan import EMAIL, WHATSAPP, plan_of
from engage.campaigns.channel_schemas import (
    CampaignChannelsPublic,
    CampaignChannelsUpdate,
    CampaignOmnichannelPublic,
)
from engage.campaigns.models import CampaignItem
from engage.campaigns.service import EDITABLE, get_item
from engage.core import clock
from engage.core.errors import Conflict, ValidationFailed
from engage.core.render import check_variables


def _settings_of(body: CampaignChannelsUpdate, discount: str | None) -> dict[str, Any]:
    """The stored settings of the chosen channels, their variables checked; raises
    ValidationFailed naming `settings.<channel>` when a chosen channel lacks its settings."""
    out: dict[str, Any] = {}
    if WHATSAPP in body.channels:
        wa = body.settings.whatsapp
        if wa is None:
            raise ValidationFailed(
                "WhatsApp needs an approved template",
                {"settings.whatsapp": "required when whatsapp is chosen: {template, variables?}"},
            )
        for name, value in (wa.variables or {}).items():
            check_variables(value, discount, f"settings.whatsapp.variables.{name}")
        out[WHATSAPP] = wa.model_dump(exclude_none=True)
    if EMAIL in body.channels:
        em = body.settings.email
        if em is None:
            raise ValidationFailed(
                "E-mail needs a subject and a body",
                {"settings.email": "required when email is chosen: {subject, html}"},
            )
        check_variables(em.subject, discount, "settings.email.subject")
        check_variables(em.html, discount, "settings.email.html")
        out[EMAIL] = em.model_dump()
    return out


def channels_public(item: CampaignItem) -> CampaignChannelsPublic:
    """The campaign's channels, settings and delivery (seed 003 shape)."""
    plan = plan_of(item)
    return CampaignChannelsPublic.model_validate(
        {
            "campaign_id": item.sk,
            "channels": list(plan.channels),
            "settings": {c: plan.settings[c] for c in plan.channels if c in plan.settings},
            "delivery": plan.delivery,
        }
    )


def set_channels(
    tenant_id: str, campaign_id: str, body: CampaignChannelsUpdate
) -> CampaignChannelsPublic:
    """Choose the channels of a draft or scheduled campaign (409 once it is sending or done;
    404 for another tenant's id; 400 for a chosen channel without its settings)."""
    item = get_item(tenant_id, campaign_id)
    if item.status not in EDITABLE:
        raise Conflict(
            f"A {item.status} campaign's channels cannot be changed", {"status": item.status}
        )
    settings = _settings_of(body, (item.meta or {}).get("discountValue"))
    fields = {
        "channels": list(body.channels),
        "channel_settings": settings,
        "delivery": body.delivery.value,
        "updated_at": clock.now_iso(),
    }
    if not store.set_fields(item, fields, if_status=EDITABLE):
        raise Conflict("The campaign changed state; reload it")
    return channels_public(item)


def attribution(tenant_id: str, campaign_id: str) -> tuple[int | None, int | None]:
    """`(responses, conversions)` of the campaign from its attribution counters
    (`engage.attribution.service.campaign_attribution`: replies within the response window,
    Shopify orders from clickers within the conversion window)."""
    from engage.attribution.service import campaign_attribution

    counted = campaign_attribution(tenant_id, campaign_id)
    return counted.responses, counted.conversions


def omnichannel(tenant_id: str, campaign_id: str) -> CampaignOmnichannelPublic:
    """`{campaign_id, name, channels, metrics: {total_sent, responses, conversions}}`:
    `total_sent` is the campaign's sent counter (every channel, every run)."""
    item = get_item(tenant_id, campaign_id)
    responses, conversions = attribution(tenant_id, campaign_id)
    return CampaignOmnichannelPublic.model_validate(
        {
            "campaign_id": item.sk,
            "name": item.name,
            "channels": list(plan_of(item).channels),
            "metrics": {
                "total_sent": int(item.sent_count),
                "responses": responses,
                "conversions": conversions,
            },
        }
    )
