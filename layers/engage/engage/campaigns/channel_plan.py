"""Which channels a campaign sends on, who can be reached on each, and what it costs (issue 10
"Campaigns on any channel"; README "Campaigns on any channel").

A recipient is reachable on a channel when they have its address and opted in to it
(`engage.contacts.consent`): SMS a phone number and `smsConsent`, WhatsApp a phone number and
`whatsappConsent`, e-mail an address and `emailConsent`, each `opted_in`. With delivery `all`
they get one message on every reachable channel of the campaign; with `first_available` one
message, on the first reachable one in the campaign's order of channels, unless quiet hours
hold it or the frequency cap excludes it: then it goes on the next reachable channel that
is free (README "Campaigns on any channel"). A `first_available` recipient's snapshot row
names every reachable channel (the first is theirs, the rest its fallbacks) and holds the
credits of the costliest of them (`held_credits`); what is not spent is refunded when sent.

Credits per message (CREDITS_PER_MESSAGE): SMS costs its segments (as it always has); WhatsApp
and e-mail cost 1 credit each. A credit is the price of one SMS segment; Twilio charges about
as much per WhatsApp message as per SMS segment (plus Meta's template fee), while Amazon SES
charges about 1/80 of that per e-mail: 1 credit is the smallest whole price, so e-mail is
priced above its cost until credits are counted in fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from engage.campaigns.models import CampaignItem

SMS, WHATSAPP, EMAIL = "sms", "whatsapp", "email"
CHANNELS = (SMS, WHATSAPP, EMAIL)
QUIET_CHANNELS = frozenset({SMS, WHATSAPP})  # quiet hours hold these, never e-mail
CREDITS_PER_MESSAGE = {WHATSAPP: 1, EMAIL: 1}  # SMS: its segments (engage.core.sms)
DELIVERY_ALL, DELIVERY_FIRST = "all", "first_available"


@dataclass(frozen=True)
class ChannelPlan:
    """A campaign's channels (in order), their settings and the delivery mode."""

    channels: tuple[str, ...] = (SMS,)
    settings: Mapping[str, Any] = field(default_factory=dict)
    delivery: str = DELIVERY_ALL

    @property
    def sms_only(self) -> bool:
        """True for a campaign that sends SMS only (every campaign made before issue 10):
        its snapshot rows, SQS rows and message items are exactly those it always had."""
        return self.channels == (SMS,)

    def parts(self) -> bool:
        """True when quiet hours split a page: some channels wait, e-mail does not."""
        return EMAIL in self.channels and any(c in QUIET_CHANNELS for c in self.channels)


def plan_of(item: CampaignItem) -> ChannelPlan:
    """The campaign's plan (absent attributes: SMS only, delivery `all`)."""
    channels = tuple(str(c) for c in item.channels or ()) or (SMS,)
    return ChannelPlan(channels, dict(item.channel_settings or {}), item.delivery or DELIVERY_ALL)


def reachable(
    plan: ChannelPlan, phone: str | None, email: str | None, consents: Mapping[str, str]
) -> list[str]:
    """The campaign channels, in order, a recipient can be reached on (see the module
    docstring); with delivery `first_available` the first is theirs, the rest fallbacks."""
    addresses = {SMS: phone, WHATSAPP: phone, EMAIL: email}
    return [c for c in plan.channels if addresses[c] and consents.get(c) == "opted_in"]


def held_credits(plan: ChannelPlan, costs: list[int]) -> int:
    """The credits a recipient's messages hold (`costs`: one per reachable channel): all of
    them with delivery `all`; with `first_available` (one message, on whichever channel is
    free) the costliest one."""
    if not costs:
        return 0
    return max(costs) if plan.delivery == DELIVERY_FIRST else sum(costs)


def credits_of(channel: str, sms_segments: int) -> int:
    """The credits of one message on `channel` (`sms_segments`: of the rendered SMS text)."""
    return sms_segments if channel == SMS else CREDITS_PER_MESSAGE[channel]
