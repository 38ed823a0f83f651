"""EventBridge Scheduler schedules for scheduled and recurring campaigns (DESIGN.md section 5).

One schedule per campaign in SCHEDULER_GROUP: `at(...)` for `scheduled` (deleted after it
fires), `rate(N days)` for `recurring`. The target is the scheduled-dispatch function, invoked
with `{"tenantId", "campaignId"}`; it runs the same enqueue as `POST /campaigns/{id}/enqueue`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json

from engage.core.aws import client
from engage.core.settings import get_settings


def schedule_name(tenant_id: str, campaign_id: str) -> str:
    """A schedule name unique per campaign (at most 64 characters)."""
    return f"c-{tenant_id}-{campaign_id}"[:64]


def put_schedule(
    tenant_id: str,
    campaign_id: str,
    schedule_type: str,
    at: dt.datetime | None,
    every_days: int | None,
) -> str:
    """Create or replace the campaign's schedule; returns its name."""
    settings = get_settings()
    name = schedule_name(tenant_id, campaign_id)
    sched = client("scheduler")
    target = {
        "Arn": settings.scheduled_dispatch_function_arn,
        "RoleArn": settings.scheduler_role_arn,
        "Input": json.dumps({"tenantId": tenant_id, "campaignId": campaign_id}),
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600},
    }
    params: dict[str, object] = {
        "Name": name,
        "GroupName": settings.scheduler_group,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": target,
        "ScheduleExpressionTimezone": "UTC",
    }
    if schedule_type == "scheduled" and at is not None:
        params["ScheduleExpression"] = f"at({at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S})"
        params["ActionAfterCompletion"] = "DELETE"
    else:
        params["ScheduleExpression"] = f"rate({every_days} day{'s' if every_days != 1 else ''})"
        if at is not None:
            params["StartDate"] = at
    delete_schedule(name)
    sched.create_schedule(**params)
    return name


def delete_schedule(name: str | None) -> None:
    """Delete a schedule if it exists."""
    if not name:
        return
    sched = client("scheduler")
    with contextlib.suppress(sched.exceptions.ResourceNotFoundException):
        sched.delete_schedule(Name=name, GroupName=get_settings().scheduler_group)
