"""Campaign attribution (issue 10 "Attribution"): the figures others show, and the counting
that responses (engage/attribution/responses.py) and conversions
(engage/attribution/conversions.py) share.

Nothing is written on the send path: a reply or an order looks up the campaigns that could
have reached the contact (`store.campaigns_active_since`) and reads the contact's message item
of each (`candidate_messages`: the key is campaign, shard, run and contact). What counts is
written once per counted thing: a claim item (conditional PutItem), then one ADD to the
campaign's counter item and one to the tenant's totals, each behind its own claim, so a
redelivered event or webhook adds nothing and a failed ADD gives its claim back for the retry
(as engage/usage/consumer.py does).

The campaign routes and the dashboard read them (engage/campaigns/service.py,
engage/dashboard/service.py):
`campaign_attribution(tenant_id, campaign_id)`, `campaigns_attribution(tenant_id, ids)` (one
BatchGetItem for a list, e.g. the dashboard's top campaigns) and `tenant_attribution(tenant_id)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from engage.attribution import store
from engage.attribution.schemas import CampaignAttribution
from engage.attribution.store import CampaignRun, Counts
from engage.core import clock, ids, keys
from engage.core.settings import get_settings

RUNS_CHECKED = 2  # a recurring campaign's latest run and the one before it


def _public(counts: Counts | None) -> CampaignAttribution:
    counts = counts or Counts()
    return CampaignAttribution(
        responses=max(counts.responses, 0),
        conversions=max(counts.conversions, 0),
        revenue={c: _decimal_text(a) for c, a in sorted(counts.revenue.items())},
    )


def _decimal_text(amount: Decimal) -> str:
    """A revenue amount as a plain decimal string with at least two places (`"12.50"`)."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:  # DynamoDB returns 199.00 as 199
        amount = amount.quantize(Decimal("0.01"))
    return format(amount, "f")


def campaign_attribution(tenant_id: str, campaign_id: str) -> CampaignAttribution:
    """The campaign's responses, conversions and revenue per currency (zeros when nothing was
    attributed, also for an unknown or another tenant's id: the caller checks the campaign)."""
    return campaigns_attribution(tenant_id, [campaign_id])[campaign_id]


def campaigns_attribution(
    tenant_id: str, campaign_ids: Iterable[str]
) -> dict[str, CampaignAttribution]:
    """`campaign_attribution` of each id, with one BatchGetItem per 100 ids."""
    wanted = list(dict.fromkeys(campaign_ids))
    found = store.counts(keys.attribution_counter_key(tenant_id, c) for c in wanted)
    return {c: _public(found.get(keys.attribution_counter_key(tenant_id, c))) for c in wanted}


def tenant_attribution(tenant_id: str) -> CampaignAttribution:
    """The tenant's totals for the dashboard: `responses` is the sum of its campaigns'
    responses; `conversions` and `revenue` count each attributed order once, even when it
    counts for several campaigns (each of those campaigns counts it in its own figures)."""
    key = keys.attribution_totals_key(tenant_id)
    return _public(store.counts([key]).get(key))


# --- shared by responses and conversions -------------------------------------------------------


parse_time = clock.parse
"""An ISO 8601 time as aware UTC, or None (engage/core/clock.py `parse`)."""


def candidate_messages(
    tenant_id: str, runs: Iterable[CampaignRun], contact_ids: Iterable[str]
) -> dict[tuple[str, str], str]:
    """The message item keys each contact would have in each campaign (its latest run and
    the one before, on each of its channels), mapped to the campaign id."""
    shards = get_settings().message_shards
    out: dict[tuple[str, str], str] = {}
    contacts = list(dict.fromkeys(contact_ids))
    for run in runs:
        for contact_id in contacts:
            shard = ids.shard_of(contact_id, shards)
            for number in range(run.run, max(run.run - RUNS_CHECKED, 0), -1):
                sms = keys.message_key(tenant_id, run.campaign_id, shard, number, contact_id)
                for channel in run.channels:
                    out[keys.campaign_channel_message_key(sms, channel)] = run.campaign_id
    return out


def count_once(
    claim_key: tuple[str, str],
    counter_key: tuple[str, str],
    fields: Mapping[str, str],
    *,
    responses: int = 0,
    conversions: int = 0,
    revenue: Mapping[str, Decimal] | None = None,
) -> bool:
    """Claim `claim_key`, then ADD to `counter_key`; False when it was claimed before. If the
    ADD fails the claim is given back and the error propagates (the event is retried)."""
    now = clock.now_iso()
    if not store.claim(claim_key, {**fields, "createdAt": now}):
        return False
    try:
        store.add(
            counter_key, responses=responses, conversions=conversions, revenue=revenue, now=now
        )
    except Exception:
        store.release(claim_key)
        raise
    return True
