"""Completing a campaign: `sending` -> `sent` (or back to `scheduled` for a recurring one)
once dispatch is complete and every queued message is sent, failed or skipped."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from engage.campaigns.models import CampaignItem
from engage.core import clock


def maybe_complete(item: CampaignItem) -> bool:
    """Conditionally complete `item` (its attributes must be fresh); True if it moved."""
    settled = int(item.sent_count) + int(item.failed_count) + int(item.skipped_count)
    if item.status != "sending" or not item.dispatch_complete or settled < int(item.queued_count):
        return False
    final = "scheduled" if item.schedule_type == "recurring" else "sent"
    now = clock.now_iso()
    try:
        item.update(
            actions=[
                CampaignItem.status.set(final),
                CampaignItem.completed_at.set(now),
                CampaignItem.updated_at.set(now),
            ],
            condition=(CampaignItem.status == "sending") & (CampaignItem.dispatch_complete == True),  # noqa: E712
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
