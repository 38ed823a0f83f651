"""Worker event shapes of the campaigns group, parsed with Powertools parser models
(https://docs.powertools.aws.dev/lambda/python/latest/utilities/parser/):

- the send queue: one `SendBatchBody` per SQS record (written by `dispatch`);
- the receipts queue: `{"receipts": [Receipt, ...]}` per SQS record (sender, webhooks);
- the scheduler's target input `{"tenantId", "campaignId"}` (`schedules.put_schedule`).

The dispatch state machine's task input is `dispatch.DispatchState`.
"""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field, Json

# [shard, contactId, phoneE164, text, segments, token]: an SMS-only campaign's recipient
SendRow = tuple[int, str, str, str, int, str | None]
# [shard, contactId, to, text, credits, token, channel, values]: one message of a campaign on
# several channels (issue 10). `to`: E.164 number, or the e-mail address; `text`: the SMS or
# WhatsApp free-form text, or the e-mail's subject; `values`: a WhatsApp message's template
# variables, rendered, or an e-mail's variables (firstName, lastName, discount) for its HTML.
ChannelSendRow = tuple[int, str, str, str, int, str | None, str, dict[str, str | None]]
# ChannelSendRow plus `fallback` (delivery `first_available`): 0 for the recipient's message on
# their first channel, whose `credits` are those held for the recipient; 1 for a message on a
# later channel, sent instead only when the ones before it are capped or no longer consented
# (its `credits`: its own price). A recipient's fallbacks follow their first message.
FallbackSendRow = tuple[int, str, str, str, int, str | None, str, dict[str, str | None], int]


class WhatsAppBatch(BaseModel):
    """A send batch's WhatsApp settings: the approved template (Twilio `content_sid`)."""

    template: str


class EmailBatch(BaseModel):
    """A send batch's e-mail settings: the HTML (variables not yet filled) and the campaign's
    links, whose `href`s become each recipient's short links."""

    html: str
    links: list[str] = []


class ChannelBatch(BaseModel):
    """The settings of the channels a send batch's messages use (once per SQS message)."""

    whatsapp: WhatsAppBatch | None = None
    email: EmailBatch | None = None


class SendBatchBody(BaseModel):
    """One send batch: a campaign run's recipients with their text (short keys keep the SQS
    body small: 100 recipients is about 15 KB). An SMS-only campaign's rows are `SendRow`s;
    a campaign on several channels sends `ChannelSendRow`s, several per recipient, and `ch`."""

    model_config = ConfigDict(populate_by_name=True)

    t: str = Field(description="tenant id")
    c: str = Field(description="campaign id")
    r: int = Field(description="run")
    b: str = Field(description="sort key of the send batch's claim item")
    tz: str = "UTC"
    sender: str | None = Field(default=None, alias="from")
    at: str = Field(description="when the page was resolved (ISO 8601 UTC)")
    created: str | None = None
    m: list[SendRow | ChannelSendRow | FallbackSendRow]
    ch: ChannelBatch | None = Field(default=None, description="settings of the channels")


class SendRecord(SqsRecordModel):
    """An SQS record of the send queue."""

    body: Json[SendBatchBody]  # type: ignore[assignment]


class ReceiptBody(BaseModel):
    """A delivery receipt (`engage.channels.base.Receipt`) as queued."""

    provider: str
    provider_message_id: str
    status: str
    error: str | None = None
    ref: str | None = None


class ReceiptsBody(BaseModel):
    """One receipts-queue message: up to 100 receipts."""

    receipts: list[ReceiptBody]


class ReceiptsRecord(SqsRecordModel):
    """An SQS record of the receipts queue."""

    body: Json[ReceiptsBody]  # type: ignore[assignment]


class ScheduleFired(BaseModel):
    """The EventBridge Scheduler target input of a scheduled or recurring campaign."""

    tenantId: str = Field(min_length=1)
    campaignId: str = Field(min_length=1)


class DispatchAction(BaseModel):
    """Which dispatch task the state machine invokes."""

    action: Literal["prepare", "page", "finalize", "fail"]
