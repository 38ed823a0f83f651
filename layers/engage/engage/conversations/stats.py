"""The console dashboard's numbers (issue 9 `GET /admin/dashboard/stats`), all from real data
and without a Scan:

- `open`, `pending`: conversations in that status (Query with `Select=COUNT` on the GSI1
  status partition);
- `unassigned`: open conversations with no assignee; `mine`: open conversations assigned to
  the caller (COUNT on the GSI2 assignee partition of `open`);
- `resolved_today`: conversations resolved since 00:00 UTC today and still resolved (COUNT on
  the GSI1 `resolved` partition, whose sort key is the resolution time);
- `median_first_response_seconds`: the median time from a conversation's start to its first
  agent reply, over the first replies of the last `FRT_DAYS` UTC days, today included (one
  Query per day of the samples the replies filed); null when there are none.
Counts read the indexes, which follow their items within moments (GSIs are eventually
consistent).
"""

from __future__ import annotations

import datetime as dt
import statistics

from pydantic import Field

from engage.conversations import store
from engage.conversations.schemas import ConversationStatus
from engage.core import clock, keys
from engage.core.schemas import PublicModel

FRT_DAYS = 7
SAMPLES_PER_DAY = 10_000


class DashboardStatsPublic(PublicModel):
    """`GET /admin/dashboard/stats` (definitions: engage/conversations/stats.py)."""

    open: int
    pending: int
    unassigned: int = Field(description="open and assigned to nobody")
    mine: int = Field(description="open and assigned to the caller")
    resolved_today: int = Field(description="resolved since 00:00 UTC today")
    median_first_response_seconds: float | None = Field(
        description=f"first agent replies of the last {FRT_DAYS} UTC days; null without any"
    )


def dashboard(tenant_id: str, me: str) -> DashboardStatsPublic:
    """The numbers above for the caller `me` (a member id)."""
    open_ = ConversationStatus.OPEN.value
    today = clock.now().astimezone(dt.UTC).date()
    samples: list[float] = []
    for back in range(FRT_DAYS):
        day = (today - dt.timedelta(days=back)).isoformat()
        samples += store.first_response_samples(tenant_id, day, SAMPLES_PER_DAY)
    return DashboardStatsPublic(
        open=store.index_count("status", keys.conversation_status_index_pk(tenant_id, open_)),
        pending=store.index_count(
            "status", keys.conversation_status_index_pk(tenant_id, ConversationStatus.PENDING)
        ),
        unassigned=store.index_count(
            "assignee", keys.conversation_assignee_index_pk(tenant_id, None, open_)
        ),
        mine=store.index_count(
            "assignee", keys.conversation_assignee_index_pk(tenant_id, me, open_)
        ),
        resolved_today=store.index_count(
            "status",
            keys.conversation_status_index_pk(tenant_id, ConversationStatus.RESOLVED),
            at_least=f"{today.isoformat()}T00:00:00.000Z",
        ),
        median_first_response_seconds=statistics.median(samples) if samples else None,
    )
