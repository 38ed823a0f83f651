"""Which message of a recipient the sender sends (issue 10 "Campaigns on any channel": "or,
with a documented setting, on the first of them in order"; README "Campaigns on any channel").

A send batch's messages come in slots: with delivery `all` every message is its own slot;
with `first_available` a recipient's slot is their message on their first channel followed by
its fallbacks (`events.FallbackSendRow`), one message per later channel they can be reached
on. The sender sends at most one message per slot: the first whose channel the contact is
still consented to (the consent log since dispatch) and whose frequency-cap slot it can take
(`caps.take`). The cap is asked in rounds: every slot's first open channel at once, then,
for the slots capped there only, their next open channel, and so on (a campaign has at most
three channels, so at most three rounds; a batch nobody in which is capped costs what it
did before).
"""

from __future__ import annotations

from collections.abc import Mapping

from engage.campaigns import caps
from engage.campaigns.channel_plan import SMS, credits_of
from engage.campaigns.message_store import Message
from engage.core.sms import segment_count

Slot = list[Message]  # [the recipient's message, *its fallbacks]
NOT_SENDABLE = "opted out, deleted or changed number after dispatch"


def slots(messages: list[Message]) -> list[Slot]:
    """`messages` in order, each fallback in the slot of the message before it."""
    out: list[Slot] = []
    for m in messages:
        if m.fallback and out and out[-1][0].contact_id == m.contact_id:
            out[-1].append(m)
        else:
            out.append([m])
    return out


def cost_of(m: Message) -> int:
    """The credits `m` costs when sent (`channel_plan.credits_of` of its text)."""
    return credits_of(m.channel, segment_count(m.body) if m.channel == SMS else 0)


def choose(
    tenant_id: str,
    campaign_id: str,
    run: int,
    batch: list[Slot],
    unsendable: Mapping[str, set[str]],
) -> dict[tuple[str, str], Message | str]:
    """For each slot (by its first message's key) the message to send, or why none is sent
    (not consented any more on any of its channels, or capped on each open one). Takes the
    frequency-cap slot of every message returned."""
    out: dict[tuple[str, str], Message | str] = {}
    pending: dict[tuple[str, str], list[Message]] = {}
    for slot in batch:
        open_ = [m for m in slot if m.contact_id not in unsendable.get(m.channel, set())]
        if open_:
            pending[slot[0].key] = open_
        else:
            out[slot[0].key] = NOT_SENDABLE
    capped_on: dict[tuple[str, str], list[str]] = {}
    while pending:
        wanted = [(c[0].contact_id, c[0].channel) for c in pending.values()]
        capped = caps.take(tenant_id, campaign_id, run, wanted)
        later: dict[tuple[str, str], list[Message]] = {}
        for key, candidates in pending.items():
            head = candidates[0]
            if (head.contact_id, head.channel) not in capped:
                out[key] = head
                continue
            capped_on.setdefault(key, []).append(head.channel)
            if len(candidates) > 1:
                later[key] = candidates[1:]
            else:
                out[key] = f"frequency cap reached on {', '.join(capped_on[key])}"
        pending = later
    return out
