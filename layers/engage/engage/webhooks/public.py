"""Response schemas of the webhooks group (the provider reads only the status code; these
document what the body says)."""

from __future__ import annotations

from typing import Literal

from engage.core.schemas import PublicModel


class WebhookReceiptQueued(PublicModel):
    """A delivery receipt accepted for the receipts worker."""

    queued: int
    messageSid: str
    status: str


class WebhookReceiptResponse(PublicModel):
    """`{"success": true, "data"}` of the SMS status webhook."""

    success: Literal[True] = True
    data: WebhookReceiptQueued
