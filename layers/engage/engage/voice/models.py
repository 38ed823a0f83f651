"""Voice items (issue 3, seed 002): campaigns, call-queue items, the running-campaign registry.

The call semaphore's item lives in `engage.voice.semaphore_store`. Keys come from
`engage.core.keys`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from engage.core.db import GSI1, GSI2, GSI3, BaseItem


class VoiceCampaignStatus(StrEnum):
    """A voice campaign's status (seed 002 "Complete API Flow": draft -> active -> completed,
    with paused and cancelled)."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class VoiceQueueStatus(StrEnum):
    """A call-queue item's status (seed 002 "Queue API Endpoints")."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class VoiceCallOutcome(StrEnum):
    """What one placed call came to: a person answered, voicemail, no answer, busy, failed."""

    ANSWERED = "answered"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"


class VoiceCampaignSource(StrEnum):
    """How a campaign was created: `POST /api/campaigns` or `POST /api/campaigns/upload-csv`."""

    API = "api"
    CSV = "csv"
    SESSION = "session"  # the hub's session calls (engage/voice/session_calls.py; issue 11)


CAMPAIGN_STATUSES = tuple(s.value for s in VoiceCampaignStatus)
QUEUE_STATUSES = tuple(s.value for s in VoiceQueueStatus)
OUTCOMES = tuple(o.value for o in VoiceCallOutcome)


class VoiceCampaignItem(BaseItem):
    """`PK=T#<tenantId>#VCAMP`, `SK=<campaignId>`. The per-status counters are changed only by
    atomic ADD as queue items move (`engage.voice.calls`); statistics recount the items."""

    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    agent_id = UnicodeAttribute(null=True)
    next_action = UnicodeAttribute(null=True)
    first_call_time = UnicodeAttribute(null=True)  # HH:MM, account time zone
    last_call_time = UnicodeAttribute(null=True)
    start_date = UnicodeAttribute(null=True)  # YYYY-MM-DD, account time zone
    end_date = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="draft")
    source = UnicodeAttribute(default="api")  # api | csv
    max_attempts = NumberAttribute(default=3)
    retry_delay_minutes = NumberAttribute(default=60)
    total_contacts = NumberAttribute(default=0)
    queued = NumberAttribute(default=0)
    in_progress = NumberAttribute(default=0)
    completed = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    cancelled = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    paused_at = UnicodeAttribute(null=True)
    completed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)


class CallQueueItem(BaseItem):
    """`PK=T#<tenantId>#VQ#<campaignId>`, `SK=<seq:06d>`: one contact to call in a campaign.

    While `status == "queued"` the item carries GSI2 keys (`keys.call_ready_pk`), which is how
    the pump finds due calls without reading the whole queue. `calls` holds one entry per call
    placed: `{attempt, call_sid, started_at, ended_at, status, outcome, talk_seconds,
    answered_by}`.
    """

    campaign_id = UnicodeAttribute()
    contact_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    phone_e164 = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    company = UnicodeAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    # A session call (issue 11, engage/voice/session_calls.py): the conversation it serves and
    # the member it connects (the provider's agent, in place of the campaign's `agent_id`).
    conversation_id = UnicodeAttribute(null=True, attr_name="conversationId")
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    status = UnicodeAttribute(default="queued")
    attempts = NumberAttribute(default=0)
    next_attempt_at = UnicodeAttribute(null=True)
    last_outcome = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    call_sid = UnicodeAttribute(null=True)
    call_status = UnicodeAttribute(null=True)
    last_sequence = NumberAttribute(null=True)
    final = MapAttribute[str, Any](null=True)  # the final status callback of this attempt
    task_token = UnicodeAttribute(null=True)
    talk_seconds = NumberAttribute(default=0)
    calls = ListAttribute[Any](default=list)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    ended_at = UnicodeAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    # The contact's calls (issue 11 customer history): `keys.contact_calls_index_pk`, written
    # with the item by `store.write_campaign` and never changed.
    gsi3pk = UnicodeAttribute(null=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(null=True, attr_name="GSI3SK")
    by_call_sid = GSI1()
    ready = GSI2()
    by_contact = GSI3()


class RunningCampaignItem(BaseItem):
    """`PK=SYS#VOICE#RUNNING`, `SK=<tenantId>#<campaignId>`: a voice campaign in `active`.
    The same shape under `PK=SYS#VOICE#SWEEP` registers a cancelled campaign whose queued items
    are still being cancelled in the background."""

    tenant_id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    since = UnicodeAttribute()
