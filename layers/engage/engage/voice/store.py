"""DynamoDB access of the voice group (STYLE.md rule 1): reads, queries, conditional updates and
batch writes of voice campaigns, call-queue items and the running / sweeping registries. What to
write and when is decided by the services (`transitions`, `pump`, `tasks`, `callbacks`,
`maintenance`, `service`); the update expressions live here. The semaphore item has its own
module (`engage.voice.semaphore_store`); keys come from `engage.core.keys`.

Every `*_if` / conditional function returns False, changing nothing, when its condition does
not hold (DynamoDB's ConditionalCheckFailedException), and refreshes the item it was given
with the new values when it does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.models import Model

from engage.core import clock, keys
from engage.voice.models import (
    CallQueueItem,
    RunningCampaignItem,
    VoiceCampaignItem,
    VoiceCampaignStatus,
    VoiceQueueStatus,
)

QUEUED, IN_PROGRESS = VoiceQueueStatus.QUEUED.value, VoiceQueueStatus.IN_PROGRESS.value


def campaign_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """Key of a voice campaign."""
    return keys.voice_campaign_partition(tenant_id), campaign_id


def item_key(tenant_id: str, campaign_id: str, seq: int) -> tuple[str, str]:
    """Key of a queue item (sort key: the zero-padded sequence number)."""
    return keys.call_queue_key(tenant_id, campaign_id, seq)


# -- reads -------------------------------------------------------------------------------------
def get_campaign(tenant_id: str, campaign_id: str) -> VoiceCampaignItem | None:
    """The campaign (strongly consistent) or None."""
    try:
        return VoiceCampaignItem.get(*campaign_key(tenant_id, campaign_id), consistent_read=True)
    except VoiceCampaignItem.DoesNotExist:
        return None


def iter_campaigns(
    tenant_id: str, newest_first: bool = True, attributes: list[str] | None = None
) -> Iterator[VoiceCampaignItem]:
    """Every voice campaign of the tenant (one partition; ids are time-ordered)."""
    yield from VoiceCampaignItem.query(
        keys.voice_campaign_partition(tenant_id),
        scan_index_forward=not newest_first,
        attributes_to_get=attributes,
    )


def get_item(tenant_id: str, campaign_id: str, seq: int) -> CallQueueItem | None:
    """The queue item (strongly consistent) or None."""
    try:
        return CallQueueItem.get(*item_key(tenant_id, campaign_id, seq), consistent_read=True)
    except CallQueueItem.DoesNotExist:
        return None


def iter_queue(
    tenant_id: str, campaign_id: str, from_seq: int | None = None, limit: int | None = None
) -> Iterator[CallQueueItem]:
    """A campaign's queue items in sequence order, from `from_seq` when given."""
    condition = CallQueueItem.sk >= keys.call_queue_sk(from_seq) if from_seq else None
    yield from CallQueueItem.query(
        keys.call_queue_partition(tenant_id, campaign_id), condition, limit=limit
    )


def ready_items(
    tenant_id: str, campaign_id: str, due_by: str | None = None, limit: int | None = None
) -> Iterator[CallQueueItem]:
    """Keys of the campaign's `queued` items from the sparse ready index (GSI2), earliest due
    first; with `due_by` (ISO time) only those due by then."""
    condition = CallQueueItem.gsi2sk <= keys.call_ready_upper_bound(due_by) if due_by else None
    yield from CallQueueItem.ready.query(
        keys.call_ready_pk(tenant_id, campaign_id), condition, limit=limit
    )


def items_by_call_sid(provider: str, call_sid: str) -> list[tuple[str, str, int]]:
    """`(tenant_id, campaign_id, seq)` of the queue items a provider call id points at (GSI1)."""
    out = []
    for hit in CallQueueItem.by_call_sid.query(keys.call_sid_index_pk(provider, call_sid)):
        _, campaign_id = keys.parse_call_queue_partition(str(hit.pk))
        out.append((keys.parse_tenant_pk(str(hit.gsi1sk)), campaign_id, int(hit.sk)))
    return out


# -- writes: campaigns ---------------------------------------------------------------------------
def update_if(item: Model, actions: list[Any], condition: Any) -> bool:
    """Apply `actions` to `item` (refreshed with the new values) if `condition` holds."""
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def add_counts(
    tenant_id: str, campaign_id: str, deltas: dict[str, int]
) -> VoiceCampaignItem | None:
    """Atomically ADD to the campaign's per-status counters; the campaign after the update, or
    None when it no longer exists (an update never recreates a deleted campaign)."""
    actions = [getattr(VoiceCampaignItem, k).add(v) for k, v in deltas.items() if v]
    if not actions:
        return get_campaign(tenant_id, campaign_id)
    item = VoiceCampaignItem(*campaign_key(tenant_id, campaign_id))
    return item if update_if(item, actions, VoiceCampaignItem.pk.exists()) else None


def complete_if_idle(item: VoiceCampaignItem) -> bool:
    """active / paused -> completed, only while nothing is queued or in progress."""
    now = clock.now_iso()
    return update_if(
        item,
        [
            VoiceCampaignItem.status.set(VoiceCampaignStatus.COMPLETED.value),
            VoiceCampaignItem.completed_at.set(now),
            VoiceCampaignItem.updated_at.set(now),
        ],
        VoiceCampaignItem.status.is_in("active", "paused")
        & (VoiceCampaignItem.queued == 0)
        & (VoiceCampaignItem.in_progress == 0),
    )


def transition(item: VoiceCampaignItem, allowed: Iterable[str], to: str, stamp: str | None) -> bool:
    """Set the campaign's status to `to` (and the `stamp` time attribute, e.g. `started_at`)
    only while its status is one of `allowed`."""
    now = clock.now_iso()
    actions: list[Any] = [VoiceCampaignItem.status.set(to), VoiceCampaignItem.updated_at.set(now)]
    if stamp:
        actions.append(getattr(VoiceCampaignItem, stamp).set(now))
    return update_if(item, actions, VoiceCampaignItem.status.is_in(*allowed))


def update_fields(item: VoiceCampaignItem, changes: dict[str, Any], allowed: Iterable[str]) -> bool:
    """Set campaign attributes (`changes`: attribute name -> value) while its status is one of
    `allowed`."""
    actions = [getattr(VoiceCampaignItem, k).set(v) for k, v in changes.items()]
    actions.append(VoiceCampaignItem.updated_at.set(clock.now_iso()))
    return update_if(item, actions, VoiceCampaignItem.status.is_in(*allowed))


def new_campaign(tenant_id: str, campaign_id: str, **attributes: Any) -> VoiceCampaignItem:
    """An unsaved campaign item (written by `write_campaign`)."""
    return VoiceCampaignItem(*campaign_key(tenant_id, campaign_id), **attributes)


def write_campaign(
    tenant_id: str, campaign: VoiceCampaignItem, members: list[dict[str, Any]]
) -> VoiceCampaignItem:
    """Write one `queued` queue item per member (BatchWriteItem, 25 per request), then the
    campaign: written last, so a failure part-way leaves no campaign over a partial queue."""
    now = campaign.created_at
    with CallQueueItem.batch_write() as batch:
        for seq, member in enumerate(members, start=1):
            batch.save(
                CallQueueItem(
                    *item_key(tenant_id, campaign.sk, seq),
                    campaign_id=campaign.sk,
                    status=QUEUED,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                    gsi2pk=keys.call_ready_pk(tenant_id, campaign.sk),
                    gsi2sk=keys.call_ready_sk(now, seq, 0),
                    gsi3pk=keys.contact_calls_index_pk(tenant_id, member["contact_id"]),
                    gsi3sk=keys.contact_calls_index_sk(now, campaign.sk, seq),
                    **member,
                )
            )
    campaign.total_contacts = len(members)
    campaign.queued = len(members)
    campaign.save()
    return campaign


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete a campaign's queue items, its registry entries, then the campaign."""
    with CallQueueItem.batch_write() as batch:
        for item in CallQueueItem.query(
            keys.call_queue_partition(tenant_id, campaign_id), attributes_to_get=["PK", "SK"]
        ):
            batch.delete(item)
    set_running(tenant_id, campaign_id, False)
    set_sweeping(tenant_id, campaign_id, False)
    VoiceCampaignItem(*campaign_key(tenant_id, campaign_id)).delete()


# -- writes: queue items ---------------------------------------------------------------------------
def _requeue_actions(
    tenant_id: str, item: CallQueueItem, not_before: str, attempts: int
) -> list[Any]:
    """Actions that put an item back in the ready index (`queued`, due at `not_before`)."""
    return [
        CallQueueItem.status.set(QUEUED),
        CallQueueItem.next_attempt_at.set(not_before),
        CallQueueItem.gsi2pk.set(keys.call_ready_pk(tenant_id, item.campaign_id)),
        CallQueueItem.gsi2sk.set(keys.call_ready_sk(not_before, int(item.sk), attempts)),
    ]


def _attempt_is(attempt: int) -> Any:
    return (CallQueueItem.status == IN_PROGRESS) & (CallQueueItem.attempts == attempt)


def claim(tenant_id: str, campaign_id: str, seq: int, seen_sk: str, attempt: int) -> bool:
    """`queued` -> `in_progress` for attempt `attempt`, only if the item is still the queued
    entry the pump saw (`seen_sk`); leaves the ready index in the same write."""
    item = CallQueueItem(*item_key(tenant_id, campaign_id, seq))
    now = clock.now_iso()
    return update_if(
        item,
        [
            CallQueueItem.status.set(IN_PROGRESS),
            CallQueueItem.attempts.set(attempt),
            CallQueueItem.call_status.set("starting"),
            CallQueueItem.call_sid.remove(),
            CallQueueItem.last_sequence.remove(),
            CallQueueItem.final.remove(),
            CallQueueItem.task_token.remove(),
            CallQueueItem.next_attempt_at.remove(),
            CallQueueItem.gsi2pk.remove(),
            CallQueueItem.gsi2sk.remove(),
            CallQueueItem.started_at.set(now),
            CallQueueItem.updated_at.set(now),
        ],
        (CallQueueItem.status == QUEUED) & (CallQueueItem.gsi2sk == seen_sk),
    )


def unclaim(tenant_id: str, item: CallQueueItem, attempt: int) -> bool:
    """Undo a claim whose call was never placed: back to `queued`, due now, the attempt not
    counted; only while attempt `attempt` is in progress with no call id."""
    now = clock.now_iso()
    return update_if(
        item,
        [
            *_requeue_actions(tenant_id, item, now, attempt - 1),
            CallQueueItem.attempts.set(attempt - 1),
            CallQueueItem.call_status.remove(),
            CallQueueItem.task_token.remove(),
            CallQueueItem.updated_at.set(now),
        ],
        _attempt_is(attempt) & CallQueueItem.call_sid.does_not_exist(),
    )


def finish(
    tenant_id: str,
    item: CallQueueItem,
    attempt: int,
    status: str,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    call: dict[str, Any] | None = None,
    retry_at: str | None = None,
) -> bool:
    """Record the end of in-progress attempt `attempt`: `status` is `completed`, `failed`,
    `cancelled` or `queued` (a retry due at `retry_at`); `call` joins the item's call log."""
    now = clock.now_iso()
    actions: list[Any] = [CallQueueItem.task_token.remove(), CallQueueItem.updated_at.set(now)]
    if outcome:
        actions.append(CallQueueItem.last_outcome.set(outcome))
    if reason:
        actions.append(CallQueueItem.reason.set(reason))
    if call:
        actions.append(CallQueueItem.calls.set(CallQueueItem.calls.append([call])))
        actions.append(CallQueueItem.talk_seconds.add(int(call.get("talk_seconds") or 0)))
    if status == QUEUED:
        actions += _requeue_actions(tenant_id, item, retry_at or now, int(item.attempts))
    else:
        actions += [CallQueueItem.status.set(status), CallQueueItem.ended_at.set(now)]
    return update_if(item, actions, _attempt_is(attempt))


def cancel_queued(item: CallQueueItem, reason: str) -> bool:
    """`queued` -> `cancelled` (`reason`), leaving the ready index; a stale entry is a no-op."""
    now = clock.now_iso()
    return update_if(
        item,
        [
            CallQueueItem.status.set(VoiceQueueStatus.CANCELLED.value),
            CallQueueItem.reason.set(reason),
            CallQueueItem.gsi2pk.remove(),
            CallQueueItem.gsi2sk.remove(),
            CallQueueItem.ended_at.set(now),
            CallQueueItem.updated_at.set(now),
        ],
        CallQueueItem.status == QUEUED,
    )


def start_dialing(item: CallQueueItem, attempt: int, token: str) -> bool:
    """PlaceCall's first try: store the task token and mark the attempt `dialing`, only while
    it is `starting` (so a retried try is told apart)."""
    return update_if(
        item,
        [CallQueueItem.task_token.set(token), CallQueueItem.call_status.set("dialing")],
        _attempt_is(attempt) & (CallQueueItem.call_status == "starting"),
    )


def store_token(item: CallQueueItem, attempt: int, token: str) -> bool:
    """A retried PlaceCall: store its new task token while the attempt is in progress."""
    return update_if(item, [CallQueueItem.task_token.set(token)], _attempt_is(attempt))


def set_call_sid(
    tenant_id: str, item: CallQueueItem, attempt: int, provider: str, call_sid: str
) -> bool:
    """Record the provider's call id (and index it for callbacks: GSI1)."""
    return update_if(
        item,
        [
            CallQueueItem.call_sid.set(call_sid),
            CallQueueItem.call_status.set("initiated"),
            CallQueueItem.gsi1pk.set(keys.call_sid_index_pk(provider, call_sid)),
            CallQueueItem.gsi1sk.set(keys.tenant_pk(tenant_id)),
        ],
        CallQueueItem.attempts == attempt,
    )


def apply_callback(
    item: CallQueueItem,
    attempt: int,
    call_sid: str,
    status: str,
    sequence: int,
    final: dict[str, Any] | None,
) -> bool:
    """Record a call-progress callback of attempt `attempt` only if it is newer than the last
    one applied (`sequence`), belongs to this call, and no final status is recorded yet."""
    actions: list[Any] = [
        CallQueueItem.call_status.set(status),
        CallQueueItem.last_sequence.set(sequence),
        CallQueueItem.updated_at.set(clock.now_iso()),
    ]
    if final is not None:
        actions.append(CallQueueItem.final.set(final))
    condition = (
        (CallQueueItem.attempts == attempt)
        & (CallQueueItem.call_sid.does_not_exist() | (CallQueueItem.call_sid == call_sid))
        & (CallQueueItem.last_sequence.does_not_exist() | (CallQueueItem.last_sequence < sequence))
        & CallQueueItem.final.does_not_exist()
    )
    return update_if(item, actions, condition)


# -- registries ------------------------------------------------------------------------------------
def _register(key: tuple[str, str], tenant_id: str, campaign_id: str, present: bool) -> None:
    if present:
        RunningCampaignItem(
            *key, tenant_id=tenant_id, campaign_id=campaign_id, since=clock.now_iso()
        ).save()
    else:
        with contextlib.suppress(DeleteError):  # already gone
            RunningCampaignItem(*key).delete()


def set_running(tenant_id: str, campaign_id: str, running: bool) -> None:
    """Add the campaign to, or remove it from, the registry the pump walks."""
    key = keys.running_voice_campaign_key(tenant_id, campaign_id)
    _register(key, tenant_id, campaign_id, running)


def set_sweeping(tenant_id: str, campaign_id: str, sweeping: bool) -> None:
    """Add a cancelled campaign to, or remove it from, the registry of queues the tick sweeps."""
    key = keys.sweeping_voice_campaign_key(tenant_id, campaign_id)
    _register(key, tenant_id, campaign_id, sweeping)


def running_campaigns() -> list[RunningCampaignItem]:
    """Every campaign in `active`, system-wide (one partition; a few hundred at most)."""
    return list(RunningCampaignItem.query(keys.running_voice_campaigns_partition()))


def sweeping_campaigns() -> list[RunningCampaignItem]:
    """Every cancelled campaign whose queue is still being swept, system-wide."""
    return list(RunningCampaignItem.query(keys.sweeping_voice_campaigns_partition()))
