"""Completing a campaign: `sending` -> `sent` (or back to `scheduled` for a recurring one)
once dispatch is complete and every queued message is sent, failed or skipped."""

from __future__ import annotations

from engage.campaigns import store
from engage.campaigns.models import CampaignItem
from engage.core import clock


def maybe_complete(item: CampaignItem) -> bool:
    """Conditionally complete `item` (its attributes must be fresh); True if it moved."""
    settled = int(item.sent_count) + int(item.failed_count) + int(item.skipped_count)
    if item.status != "sending" or not item.dispatch_complete or settled < int(item.queued_count):
        return False
    final = "scheduled" if item.schedule_type == "recurring" else "sent"
    return store.complete(item, final, clock.now_iso())
