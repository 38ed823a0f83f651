"""Call windows (issue 3 "bound when calls may be placed"; issue 8 section 7): whether a voice
campaign may place a call now, and when it next may, in the account's time zone, by the one
clock (`engage.core.clock`).

A campaign's `first_call_time` / `last_call_time` (HH:MM) bound each day's calls and its
`start_date` / `end_date` (YYYY-MM-DD) bound the days, all in the account's time zone. Both
times are whole minutes and inclusive: with `last_call_time` 18:00 a call may still start at
18:00:59, and 00:00-23:59 is all day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from engage.core import clock
from engage.voice.models import VoiceCampaignItem, VoiceCampaignStatus


class WindowState(StrEnum):
    """`open`: calls may start now; `later`: before the start date or the day's first call
    time, or after the day's last call time; `over`: after the end date."""

    OPEN = "open"
    LATER = "later"
    OVER = "over"


def local_now(tz: str, now: datetime | None = None) -> datetime:
    """`now` (default: the clock's) in the account's time zone."""
    return (now or clock.now()).astimezone(ZoneInfo(tz))


def window_state(campaign: VoiceCampaignItem, tz: str, now: datetime | None = None) -> WindowState:
    """Where `now` falls in the campaign's call window (see the module docstring)."""
    local = local_now(tz, now)
    day, hhmm = local.date().isoformat(), local.strftime("%H:%M")
    if campaign.end_date and day > campaign.end_date:
        return WindowState.OVER
    if campaign.start_date and day < campaign.start_date:
        return WindowState.LATER
    if campaign.first_call_time and hhmm < campaign.first_call_time:
        return WindowState.LATER
    if campaign.last_call_time and hhmm > campaign.last_call_time:
        return WindowState.LATER
    return WindowState.OPEN


def next_opening(
    campaign: VoiceCampaignItem, tz: str, now: datetime | None = None
) -> datetime | None:
    """When the campaign's call window next opens (UTC), or None when it is open now or never
    opens again (its end date has passed, or today's window has closed on the end date)."""
    local = local_now(tz, now)
    if window_state(campaign, tz, local) != WindowState.LATER:
        return None
    first = time.fromisoformat(campaign.first_call_time or "00:00")
    day = local.date()
    if campaign.start_date and day < date.fromisoformat(campaign.start_date):
        day = date.fromisoformat(campaign.start_date)
    elif local.strftime("%H:%M") >= first.strftime("%H:%M"):  # today's window has closed
        day += timedelta(days=1)
    if campaign.end_date and day > date.fromisoformat(campaign.end_date):
        return None
    opening = datetime.combine(day, first, tzinfo=ZoneInfo(tz))
    return opening.astimezone(ZoneInfo("UTC"))


def call_timing(
    campaign: VoiceCampaignItem, tz: str, now: datetime | None = None
) -> tuple[bool, str | None]:
    """`(outside_call_window, next_call_at)` of a campaign as the API reports them: an
    `active` campaign outside its window says so, with the next time it may call (ISO 8601
    UTC; None when it will not call again); any other campaign is `(False, None)`."""
    if campaign.status != VoiceCampaignStatus.ACTIVE:
        return False, None
    if window_state(campaign, tz, now) == WindowState.OPEN:
        return False, None
    opening = next_opening(campaign, tz, now)
    return True, clock.iso(opening) if opening else None
