"""Campaign, message, counter-shard and daily-statistics items."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from engage.core.db import GSI1, GSI2, BaseItem


class CampaignItem(BaseItem):
    """`PK=T#<tenantId>#CAMP`, `SK=<campaignId>`.

    Send-side counters (`queuedCount`, `sentCount`, `failedCount`, `skippedCount`) and credit
    bookkeeping change only by atomic ADD. `runReserved` / `runAllocated` are the credits of
    the current run: debited at enqueue, allocated to message items by dispatch; the rest is
    refunded when dispatch finishes. `snapshotId` / `snapshotChunks` name the run's audience
    snapshot (the recipients resolved and priced at enqueue, read back by dispatch).

    Channels (issue 10, `PUT /campaigns/{id}/channels`): `channels` (absent: `["sms"]`),
    `channelSettings` (`{"whatsapp": {template, variables}, "email": {subject, html, text}}`)
    and `delivery` (`all` | `first_available`). The send-side counters above count messages
    of every channel; `whatsapp*` / `email*` count those channels' share (SMS is the rest).
    """

    name = UnicodeAttribute()
    message = UnicodeAttribute()
    audience = JSONAttribute()
    meta = JSONAttribute(default=dict)
    links = JSONAttribute(default=list)
    schedule_type = UnicodeAttribute(attr_name="scheduleType")
    schedule_at = UnicodeAttribute(null=True, attr_name="scheduleAt")
    recurring_days = NumberAttribute(null=True, attr_name="recurringDays")
    priority = UnicodeAttribute(default="normal")
    status = UnicodeAttribute()
    run = NumberAttribute(default=0)
    recipient_count = NumberAttribute(default=0, attr_name="recipientCount")
    queued_count = NumberAttribute(default=0, attr_name="queuedCount")
    sent_count = NumberAttribute(default=0, attr_name="sentCount")
    failed_count = NumberAttribute(default=0, attr_name="failedCount")
    skipped_count = NumberAttribute(default=0, attr_name="skippedCount")
    channels = ListAttribute(of=UnicodeAttribute, null=True)
    channel_settings = JSONAttribute(null=True, attr_name="channelSettings")
    delivery = UnicodeAttribute(null=True)
    whatsapp_queued = NumberAttribute(default=0, attr_name="whatsappQueued")
    whatsapp_sent = NumberAttribute(default=0, attr_name="whatsappSent")
    whatsapp_failed = NumberAttribute(default=0, attr_name="whatsappFailed")
    whatsapp_skipped = NumberAttribute(default=0, attr_name="whatsappSkipped")
    email_queued = NumberAttribute(default=0, attr_name="emailQueued")
    email_sent = NumberAttribute(default=0, attr_name="emailSent")
    email_failed = NumberAttribute(default=0, attr_name="emailFailed")
    email_skipped = NumberAttribute(default=0, attr_name="emailSkipped")
    # `first_available` fallbacks (ADD only): messages queued on another channel that went on
    # this one (+1) or left it (-1); each channel's queued share is its `*_queued` plus this
    sms_moved = NumberAttribute(default=0, attr_name="smsMoved")
    whatsapp_moved = NumberAttribute(default=0, attr_name="whatsappMoved")
    email_moved = NumberAttribute(default=0, attr_name="emailMoved")
    credits_debited = NumberAttribute(default=0, attr_name="creditsDebited")
    credits_refunded = NumberAttribute(default=0, attr_name="creditsRefunded")
    run_reserved = NumberAttribute(default=0, attr_name="runReserved")
    run_allocated = NumberAttribute(default=0, attr_name="runAllocated")
    dispatch_complete = BooleanAttribute(default=False, attr_name="dispatchComplete")
    enqueue_cutoff = UnicodeAttribute(null=True, attr_name="enqueueCutoff")
    snapshot_id = UnicodeAttribute(null=True, attr_name="snapshotId")
    snapshot_chunks = NumberAttribute(null=True, attr_name="snapshotChunks")
    enqueued_at = UnicodeAttribute(null=True, attr_name="enqueuedAt")
    completed_at = UnicodeAttribute(null=True, attr_name="completedAt")
    execution_arn = UnicodeAttribute(null=True, attr_name="executionArn")
    schedule_name = UnicodeAttribute(null=True, attr_name="scheduleName")
    failure_reason = UnicodeAttribute(null=True, attr_name="failureReason")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class CounterItem(BaseItem):
    """`PK=T#<tenantId>#CCNT#<campaignId>#<shard>`: receipt and click counters, spread over
    COUNTER_SHARDS partitions because receipts arrive one per message. `delivered` and
    `undelivered` count every channel; `whatsapp*` / `email*` those channels' share."""

    delivered = NumberAttribute(default=0)
    undelivered = NumberAttribute(default=0)
    clicks = NumberAttribute(default=0)
    whatsapp_delivered = NumberAttribute(default=0, attr_name="whatsappDelivered")
    whatsapp_undelivered = NumberAttribute(default=0, attr_name="whatsappUndelivered")
    email_delivered = NumberAttribute(default=0, attr_name="emailDelivered")
    email_undelivered = NumberAttribute(default=0, attr_name="emailUndelivered")


class MessageItem(BaseItem):
    """`PK=T#<tenantId>#M#<campaignId>#<shard>`, `SK=<run>#<contactId>`: one per recipient;
    a WhatsApp or e-mail message `SK=<run>#<contactId>#<channel>` (`channel` set, `phone` the
    WhatsApp number or `email` the address; an e-mail's `body` is its subject).

    Status moves queued -> sending (claimed by one sender) -> sent | failed | skipped, then
    sent -> delivered | undelivered on a receipt. Every move is a conditional update.
    """

    contact_id = UnicodeAttribute(attr_name="contactId")
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    body = UnicodeAttribute()
    segments = NumberAttribute()
    status = UnicodeAttribute()
    token = UnicodeAttribute(null=True)
    provider = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True, attr_name="providerMessageId")
    error = UnicodeAttribute(null=True)
    clicks = NumberAttribute(default=0)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(null=True, attr_name="updatedAt")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    by_link = GSI1()
    by_provider_id = GSI2()


class DailyStatItem(BaseItem):
    """`PK=T#<tenantId>#DAY#<shard>`, `SK=<YYYY-MM-DD>` in the tenant's time zone."""

    sent = NumberAttribute(default=0)
    delivered = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    unsubscribes = NumberAttribute(default=0)
    credits_debited = NumberAttribute(default=0, attr_name="creditsDebited")


class SendBatchItem(BaseItem):
    """`PK=T#<tenantId>#MB#<campaignId>`, `SK=<run>#<page>#<chunk>`: one SQS message's worth
    of recipients. The sender claims it (`queued -> claimed`) with one conditional update, so a
    redelivered SQS message sends nothing twice."""

    status = UnicodeAttribute()
    size = NumberAttribute()
    claimed_at = UnicodeAttribute(null=True, attr_name="claimedAt")
