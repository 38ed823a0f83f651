"""The pump's fairness, exactly: its randomness comes from the generator a pass is given, so
the order in which accounts take turns is known (issue 8 section 3)."""

from __future__ import annotations

import random
from collections.abc import Iterable

import pytest

from engage.core import clock
from engage.voice.pump import Pump
from tests.unit.test_voice_flow import at, set_limit, start, upload, us

pytestmark = pytest.mark.voice_calls


class Scripted(random.Random):
    """A generator whose `random()` returns the given values in order and whose `shuffle`
    keeps the order."""

    def __init__(self, values: Iterable[float]) -> None:
        super().__init__(0)
        self.values = iter(values)

    def random(self) -> float:
        return next(self.values)

    def shuffle(self, x: list[object]) -> None:  # type: ignore[override]
        return None


def _tenant_of(h, headers) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def _three_accounts_waiting_for_their_window(h) -> list[str]:
    """Three accounts (limit 10 each) with an active campaign of 5 calls whose window opens at
    09:00 UTC; the clock says 08:00, so nothing has started. Returns their tenant ids in the
    order the pump reads them (the running registry's sort order)."""
    accounts = [h.register(f"{name}@shop.test", name.upper()) for name in ("a", "b", "c")]
    clock.set_clock(lambda: at(8))
    tenants = []
    for headers in accounts:
        set_limit(h, headers, 10)
        out = upload(h, headers, us(5), first_call_time="09:00", last_call_time="17:00")
        start(h, headers, out["campaign"]["id"])
        tenants.append(_tenant_of(h, headers))
    return sorted(tenants)


def test_accounts_take_turns_fewest_in_flight_first_ties_broken_by_the_generator(h):
    first, second, third = _three_accounts_waiting_for_their_window(h)
    clock.set_clock(lambda: at(9))
    # Round one: all have 0 in flight; the generator draws 0.5, 0.9, 0.1 for them in order.
    # Round two: all have 1 in flight; it draws 0.2, 0.1, 0.3.
    run = Pump(clock.now(), rng=Scripted([0.5, 0.9, 0.1, 0.2, 0.1, 0.3]))
    assert run.run(max_starts=6) == 6
    assert run.started_by == [third, first, second, second, first, third]


def test_an_account_with_fewer_calls_in_flight_goes_first_whatever_the_generator_says(h):
    first, second, third = _three_accounts_waiting_for_their_window(h)
    clock.set_clock(lambda: at(9))
    Pump(clock.now(), rng=Scripted([0.1, 0.2, 0.3])).run(max_starts=1)  # `first` has one call
    run = Pump(clock.now(), rng=Scripted([0.0, 0.9, 0.8, 0.0, 0.1, 0.2]))
    assert run.run(max_starts=3) == 3
    # `first` drew the lowest number but has a call in flight: the others go first.
    assert run.started_by == [third, second, first]
