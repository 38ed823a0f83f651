"""A campaign's counts per channel (issue 10): seed 004's fields keep counting SMS messages,
`GET /campaigns/{id}/stats` gains `channels`. The campaign item's send-side counters and the
receipt counters count every channel; their `whatsapp*` / `email*` attributes count those
channels' share, so SMS is the rest (campaigns made before issue 10 have only SMS). A
`first_available` message sent on a fallback channel moves its queued share (`*_moved`)."""

from __future__ import annotations

from engage.campaigns.channel_plan import EMAIL, SMS, WHATSAPP, plan_of
from engage.campaigns.models import CampaignItem


def sms_share(item: CampaignItem, counts: dict[str, int]) -> dict[str, int]:
    """The campaign's SMS counts (what seed 004's fields mean): every channel's counter minus
    the WhatsApp and e-mail shares. `counts` is `stats.campaign_counts`' entry."""
    return {
        "queued": int(item.queued_count)
        - int(item.whatsapp_queued)
        - int(item.email_queued)
        + int(item.sms_moved),
        "sent": int(item.sent_count) - int(item.whatsapp_sent) - int(item.email_sent),
        "failed": int(item.failed_count) - int(item.whatsapp_failed) - int(item.email_failed),
        "skipped": int(item.skipped_count) - int(item.whatsapp_skipped) - int(item.email_skipped),
        "delivered": counts["delivered"] - counts["whatsapp_delivered"] - counts["email_delivered"],
        "undelivered": counts["undelivered"]
        - counts["whatsapp_undelivered"]
        - counts["email_undelivered"],
    }


def channel_counts(item: CampaignItem, counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """`{channel: {queued, sent, delivered, undelivered, failed, skipped}}` for each of the
    campaign's channels; `sent` is what was sent and not yet settled by a receipt, `queued`
    what is not yet handled (as in `byStatus`)."""
    raw = {
        SMS: sms_share(item, counts),
        WHATSAPP: {
            "queued": int(item.whatsapp_queued) + int(item.whatsapp_moved),
            "sent": int(item.whatsapp_sent),
            "failed": int(item.whatsapp_failed),
            "skipped": int(item.whatsapp_skipped),
            "delivered": counts["whatsapp_delivered"],
            "undelivered": counts["whatsapp_undelivered"],
        },
        EMAIL: {
            "queued": int(item.email_queued) + int(item.email_moved),
            "sent": int(item.email_sent),
            "failed": int(item.email_failed),
            "skipped": int(item.email_skipped),
            "delivered": counts["email_delivered"],
            "undelivered": counts["email_undelivered"],
        },
    }
    out: dict[str, dict[str, int]] = {}
    for channel in plan_of(item).channels:
        c = raw[channel]
        settled = c["delivered"] + c["undelivered"]
        out[channel] = {
            "queued": max(c["queued"] - c["sent"] - c["failed"] - c["skipped"], 0),
            "sent": max(c["sent"] - settled, 0),
            "delivered": c["delivered"],
            "undelivered": c["undelivered"],
            "failed": c["failed"],
            "skipped": c["skipped"],
        }
    return out
