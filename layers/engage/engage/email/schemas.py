"""Wire schemas of the e-mail group (issue 10): the one-click unsubscribe's answer and the SES
events webhook's (mail providers and SNS read only the status code; these say what happened)."""

from __future__ import annotations

from enum import StrEnum

from engage.core.schemas import Ok, PublicModel


class SnsMessageType(StrEnum):
    """The SNS message types an HTTP(S) endpoint receives."""

    NOTIFICATION = "Notification"
    SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
    UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"


class UnsubscribePublic(PublicModel):
    """`POST /u/{token}`: the contact is opted out of `channel`; `changed` is False when they
    already were (the POST is idempotent)."""

    unsubscribed: bool = True
    channel: str
    changed: bool


class SesEventPublic(PublicModel):
    """`POST /webhooks/ses/events`: the SNS message `type`, the SES `event` type of a
    notification, addresses `suppressed` and campaign `receipts` queued."""

    type: SnsMessageType
    event: str | None = None
    suppressed: int = 0
    receipts: int = 0


class UnsubscribeResponse(Ok[UnsubscribePublic]):
    """`{"success": true, "data": UnsubscribePublic}`."""


class SesEventResponse(Ok[SesEventPublic]):
    """`{"success": true, "data": SesEventPublic}`."""
