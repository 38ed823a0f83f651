"""The call-concurrency semaphore (issue 3's gating core): limits hold under 200 concurrent
acquirers, slots all come back, lowering a limit stops new calls, the reaper frees slots of
dead holders."""

from __future__ import annotations

import random
import threading
import time

from engage.voice import semaphore


def _run_calls(accounts: dict[str, int], system_limit: int, callers: int, calls_each: int):
    """Threads acquire, 'talk' briefly, release. In flight is counted twice: by the callers
    themselves (between a successful acquire and its release) and by an observer that samples
    the semaphore item throughout."""
    peaks = {"system": 0, **{a: 0 for a in accounts}}
    observed_over = []
    stop = threading.Event()
    lock = threading.Lock()
    in_flight = {"system": 0, **{a: 0 for a in accounts}}
    client_peaks = dict(in_flight)

    def observe() -> None:
        while not stop.is_set():
            u = semaphore.usage()
            peaks["system"] = max(peaks["system"], u.active)
            for a, limit in accounts.items():
                peaks[a] = max(peaks[a], u.accounts.get(a, 0))
                if u.accounts.get(a, 0) > limit:
                    observed_over.append((a, u.accounts[a]))
            if u.active > system_limit or u.active != len(u.holders):
                observed_over.append(("system", u.active, len(u.holders)))

    def caller(i: int) -> None:
        account = list(accounts)[i % len(accounts)]
        rng = random.Random(i)
        done = 0
        while done < calls_each:
            holder = f"exec-{i}-{done}"
            if semaphore.acquire(account, holder, accounts[account], system_limit):
                with lock:
                    for key in ("system", account):
                        in_flight[key] += 1
                        client_peaks[key] = max(client_peaks[key], in_flight[key])
                time.sleep(rng.uniform(0, 0.004))
                with lock:
                    for key in ("system", account):
                        in_flight[key] -= 1
                assert semaphore.release(holder)
                done += 1
            else:
                time.sleep(rng.uniform(0.002, 0.01))

    watcher = threading.Thread(target=observe)
    watcher.start()
    threads = [threading.Thread(target=caller, args=(i,)) for i in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    for key, peak in client_peaks.items():
        limit = system_limit if key == "system" else accounts[key]
        if peak > limit:
            observed_over.append(("callers", key, peak))
    return peaks, observed_over


def test_200_concurrent_acquirers_never_exceed_either_limit(h):
    accounts = {"acct-a": 5, "acct-b": 10, "acct-c": 10, "acct-d": 10, "acct-e": 10, "acct-f": 10}
    peaks, over = _run_calls(accounts, system_limit=50, callers=200, calls_each=2)
    assert over == []
    assert peaks["acct-a"] <= 5 and peaks["system"] <= 50
    assert peaks["acct-a"] >= 2  # the limit was actually contended
    end = semaphore.usage()
    assert end.active == 0 and end.accounts == {} and end.holders == {}


def test_a_holder_cannot_take_two_slots_and_release_is_idempotent(h):
    assert semaphore.acquire("acct", "exec-1", 2, 10)
    assert semaphore.acquire("acct", "exec-1", 2, 10)  # idempotent
    assert semaphore.usage().active == 1
    assert semaphore.release("exec-1")
    assert not semaphore.release("exec-1")
    assert semaphore.usage().active == 0


def test_lowering_a_limit_stops_new_calls_until_in_flight_falls_under_it(h):
    for i in range(4):
        assert semaphore.acquire("acct", f"e{i}", 4, 100)
    assert not semaphore.acquire("acct", "new", 2, 100)  # limit lowered from 4 to 2
    semaphore.release("e0")
    semaphore.release("e1")
    assert not semaphore.acquire("acct", "new", 2, 100)  # 2 in flight: still not below 2
    semaphore.release("e2")
    assert semaphore.acquire("acct", "new", 2, 100)
    assert not semaphore.acquire("other", "x", 5, 2)  # the system limit binds every account


def test_the_reaper_frees_slots_of_holders_that_are_no_longer_running(h):
    for i in range(3):
        assert semaphore.acquire("acct", f"exec-{i}", 3, 10)
    alive = {"exec-1"}
    assert sorted(h for h, _ in semaphore.reap(lambda holder, _info: holder not in alive)) == [
        "exec-0",
        "exec-2",
    ]
    u = semaphore.usage()
    assert (u.active, u.accounts, list(u.holders)) == (1, {"acct": 1}, ["exec-1"])
    assert semaphore.acquire("acct", "exec-3", 3, 10)


def test_a_stored_account_limit_binds_inside_the_acquire_itself(h):
    semaphore.set_limit("acct", 2)  # what PUT /api/settings/concurrency stores
    assert semaphore.acquire("acct", "e1", 5, 100)  # 5 is only the default for unset accounts
    assert semaphore.acquire("acct", "e2", 5, 100)
    assert not semaphore.acquire("acct", "e3", 5, 100)
    semaphore.set_limit("acct", 3)
    assert semaphore.acquire("acct", "e3", 5, 100)
    assert semaphore.usage().limit_of("acct", 5) == 3
    assert semaphore.usage().limit_of("other", 5) == 5
