"""Dashboard reads that are not another group's service: the tenant's campaign items."""

from __future__ import annotations

from engage.campaigns.models import CampaignItem
from engage.core import keys


def campaigns_of(tenant_id: str) -> list[CampaignItem]:
    """Every campaign of the tenant (one Query over its campaign partition)."""
    return list(CampaignItem.query(keys.campaign_partition(tenant_id)))
