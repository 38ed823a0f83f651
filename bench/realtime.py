"""`make bench`: realtime latency and AWS requests per delivered event (issue 9 "Speed").

Starts the local runtime (as `make dev` and tests/e2e do: its own free ports and a temporary
state directory) in a child process that counts every AWS request botocore makes, by the
thread that made it (bench/common.py counts the same way). Then, by default, 5 tenants each
with 2 console sockets (the owner's access token) and 18 end users (a publishable key, each
with one conversation and one socket): 100 sockets. Messages are sent over HTTP at a steady
rate, alternating an end user's message (`POST /v1/conversations/{id}/messages`) and an
agent's reply (`POST /admin/api/conversations/{id}/messages`); for each, the time from the
send's HTTP response to the `message:new` frame on each socket of the other side (the
tenant's consoles for an end user's message, the end user for a reply). Beside it, in the
same run and on the same server, a bare WebSocket echo at the same rate
(`/_local/realtime/echo`: the socket's own round trip with no handler).

AWS requests per delivered event: every request the fan-out made (RealtimeFanoutFunction:
the event-id claim, the Queries for the targets, one PostToConnection per socket, the
forgetting of gone sockets) over the frames the sockets received; the SQS receive/delete
calls of the event source (which Lambda makes on the account's behalf) and the event
backbone's (stream -> bus) are printed beside it. Aim: p99 under 1 s locally, at most 3 AWS
requests per delivered event.

`python -m bench.realtime --rate 2 --seconds 20 --tenants 5 --agents 2 --users 18` (the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COUNTS_ENV = "BENCH_REALTIME_COUNTS"


# -- the runtime child -------------------------------------------------------------------------


def _group(thread: str) -> str:
    """Which part of the system a request belongs to, by the name of its thread."""
    if thread.startswith(("poll-RealtimeFanoutFunction", "push")):
        return "fanout"
    if thread.startswith("stream-"):
        return "backbone"
    if thread.startswith("poll-"):
        return "workers"
    return "http"


def serve(argv: list[str]) -> None:
    """The local runtime, counting every AWS request per (group, operation) into the JSON
    file named by BENCH_REALTIME_COUNTS (rewritten every 0.2 s)."""
    from botocore.endpoint import Endpoint

    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = Endpoint.make_request

    def counted(self: Any, operation_model: Any, request_dict: Any) -> Any:
        key = f"{_group(threading.current_thread().name)}:{operation_model.name}"
        with lock:
            counts[key] += 1
        return original(self, operation_model, request_dict)

    Endpoint.make_request = counted  # type: ignore[method-assign]
    path = Path(os.environ[COUNTS_ENV])

    def dump() -> None:
        while True:
            with lock:
                text = json.dumps(dict(counts))
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.replace(path)
            time.sleep(0.2)

    threading.Thread(target=dump, daemon=True, name="bench-counts").start()
    from local.runtime import main

    main(argv)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Runtime:
    """The counting runtime in a child process, on free ports, with a throwaway state."""

    def __init__(self, home: Path) -> None:
        self.port, self.moto_port = _free_port(), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.counts = home / "counts.json"
        self.log = home / "runtime.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "TABLE_", "JWT_", "LOCAL_STATE"))
        }
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                COUNTS_ENV: str(self.counts),
                "LOGIN_RATE_LIMIT_PER_MINUTE": "100000",
                "POWERTOOLS_LOG_LEVEL": "ERROR",
            }
        )
        command = [sys.executable, "-m", "bench.realtime", "--serve", "--port", str(self.port)]
        command += ["--moto-port", str(self.moto_port), "--state-dir", str(home / "state")]
        with self.log.open("a") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait(self) -> None:
        import httpx

        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"runtime did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)

    def read_counts(self) -> Counter[str]:
        time.sleep(0.5)  # the child rewrites the file every 0.2 s
        return Counter(json.loads(self.counts.read_text()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=15)


# -- the load ----------------------------------------------------------------------------------


class Tenant:
    """A registered tenant: the owner's token, a publishable key, end users with their
    conversation ids."""

    def __init__(self, url: str, users: int) -> None:
        import httpx

        self.http = httpx.Client(base_url=url, timeout=60)
        resp = self.http.post(
            "/auth/register",
            json={
                "email": f"{uuid.uuid4().hex[:10]}@bench.test",
                "password": "correct horse battery",
                "tenantName": "Bench",
            },
        )
        resp.raise_for_status()
        self.token = resp.json()["access_token"]
        self.admin = {"Authorization": f"Bearer {self.token}"}
        key = self.http.post(
            "/admin/api-keys", headers=self.admin, json={"name": "bench", "kind": "publishable"}
        )
        key.raise_for_status()
        self.key = key.json()["key"]
        self.users: list[tuple[str, str]] = []
        for i in range(users):
            user_id = f"user-{i}"
            headers = self.end_user(user_id)
            device = {"platform": "ios", "model": "iPhone", "os_version": "18", "app_version": "1"}
            self.http.post(
                "/v1/users/identify",
                headers=headers,
                json={"name": f"User {i}", "metadata": {"device": device}},
            ).raise_for_status()
            created = self.http.post("/v1/conversations", headers=headers, json={})
            created.raise_for_status()
            self.users.append((user_id, created.json()["id"]))

    def end_user(self, user_id: str) -> dict[str, str]:
        return {"X-API-Key": self.key, "X-User-Id": user_id}


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _load(url: str, tenants: list[Tenant], agents: int, rate: float, seconds: float) -> Any:
    import httpx
    import websockets

    ws_base = url.replace("http://", "ws://") + "/v1/realtime"
    arrivals: dict[tuple[str, str], float] = {}
    frames = Counter[str]()
    sockets: dict[str, Any] = {}

    async def read(name: str, ws: Any) -> None:
        async for text in ws:
            at = time.perf_counter()
            got = json.loads(text)
            frames[got["event"]] += 1
            if got["event"] == "message:new":
                arrivals[(got["data"]["id"], name)] = at

    readers = []
    for t, tenant in enumerate(tenants):
        for a in range(agents):
            name = f"t{t}-agent{a}"
            sockets[name] = await websockets.connect(f"{ws_base}?access_token={tenant.token}")
        for user_id, _ in tenant.users:
            name = f"t{t}-{user_id}"
            sockets[name] = await websockets.connect(
                f"{ws_base}?api_key={tenant.key}&user_id={user_id}"
            )
    for name, ws in sockets.items():
        readers.append(asyncio.create_task(read(name, ws)))

    echo_rtts: list[float] = []
    expected: dict[str, tuple[float, list[str]]] = {}
    total = int(rate * seconds)
    start = time.perf_counter()

    async def echo() -> None:
        async with websockets.connect(
            url.replace("http://", "ws://") + "/_local/realtime/echo"
        ) as e:
            for i in range(total):
                await asyncio.sleep(max(0.0, start + (i + 0.5) / rate - time.perf_counter()))
                sent = time.perf_counter()
                await e.send(json.dumps({"n": i}))
                await e.recv()
                echo_rtts.append(time.perf_counter() - sent)

    async def send(client: httpx.AsyncClient, i: int) -> None:
        t = i % len(tenants)
        tenant = tenants[t]
        user_id, conversation_id = tenant.users[(i // len(tenants)) % len(tenant.users)]
        body = {"content": f"bench message {i}", "client_message_id": uuid.uuid4().hex}
        if i % 2 == 0:  # the end user writes: the tenant's consoles are the other side
            path = f"/v1/conversations/{conversation_id}/messages"
            headers = tenant.end_user(user_id)
            others = [f"t{t}-agent{a}" for a in range(agents)]
        else:  # an agent replies: the end user is the other side
            path = f"/admin/api/conversations/{conversation_id}/messages"
            headers = tenant.admin
            others = [f"t{t}-{user_id}"]
        resp = await client.post(path, headers=headers, json=body)
        at = time.perf_counter()
        resp.raise_for_status()
        expected[resp.json()["id"]] = (at, others)

    echo_task = asyncio.create_task(echo())
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        sends = []
        for i in range(total):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            sends.append(asyncio.create_task(send(client, i)))
        await asyncio.gather(*sends)
    await echo_task
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if all((m, o) in arrivals for m, (_, others) in expected.items() for o in others):
            break
        await asyncio.sleep(0.1)
    for ws in sockets.values():
        await ws.close()
    for task in readers:
        task.cancel()
    latencies, lost = [], 0
    for message_id, (sent_at, others) in expected.items():
        for other in others:
            if (message_id, other) in arrivals:
                latencies.append(arrivals[(message_id, other)] - sent_at)
            else:
                lost += 1
    return latencies, lost, echo_rtts, frames, len(sockets), total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=2.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--tenants", type=int, default=5)
    parser.add_argument("--agents", type=int, default=2, help="console sockets per tenant")
    parser.add_argument("--users", type=int, default=18, help="end users (sockets) per tenant")
    args, rest = parser.parse_known_args()
    if args.serve:
        serve(rest)
        return
    with tempfile.TemporaryDirectory(prefix="bench-realtime-") as home:
        runtime = Runtime(Path(home))
        try:
            runtime.wait()
            tenants = [Tenant(runtime.url, args.users) for _ in range(args.tenants)]
            time.sleep(1.0)  # let the set-up's events go out before counting
            before = runtime.read_counts()
            latencies, lost, echo, frames, n_sockets, sent = asyncio.run(
                _load(runtime.url, tenants, args.agents, args.rate, args.seconds)
            )
            counts = runtime.read_counts() - before
        finally:
            runtime.stop()
    _report(args, latencies, lost, echo, frames, n_sockets, sent, counts)


def _report(
    args: argparse.Namespace,
    latencies: list[float],
    lost: int,
    echo: list[float],
    frames: Counter[str],
    n_sockets: int,
    sent: int,
    counts: Counter[str],
) -> None:
    def ms(values: list[float], q: float) -> str:
        return f"{_percentile(values, q) * 1000:.1f}"

    delivered = sum(n for event, n in frames.items() if event != "pong")
    fanout = {k.split(":", 1)[1]: n for k, n in counts.items() if k.startswith("fanout:")}
    source = {op: fanout.pop(op) for op in list(fanout) if op in _SQS_OPERATIONS}
    backbone = {k.split(":", 1)[1]: n for k, n in counts.items() if k.startswith("backbone:")}
    events = fanout.get("PutItem", 0)  # one event-id claim per event handled
    per_frame = sum(fanout.values()) / delivered if delivered else float("nan")
    print(
        f"\nrealtime: {n_sockets} sockets ({args.tenants} tenants x ({args.agents} console + "
        f"{args.users} end-user)), {sent} messages over HTTP at {args.rate:g}/s"
    )
    print(f"{'':34}{'p50 ms':>10}{'p99 ms':>10}{'samples':>10}")
    print(f"{'HTTP response -> message:new':34}{ms(latencies, 0.5):>10}{ms(latencies, 0.99):>10}")
    print(f"{'  (other side; lost: ' + str(lost) + ')':34}{'':>20}{len(latencies):>10}")
    print(f"{'bare WebSocket echo (round trip)':34}{ms(echo, 0.5):>10}{ms(echo, 0.99):>10}")
    print(f"{'':34}{'':>20}{len(echo):>10}")
    if echo and latencies:
        ratio = statistics.median(latencies) / statistics.median(echo)
        print(f"ratio p50 message:new / echo: {ratio:.1f}")
    print(f"frames delivered: {delivered} ({', '.join(f'{k} {v}' for k, v in frames.items())})")
    print(
        f"AWS requests per delivered event (fan-out function): {per_frame:.2f}  "
        f"({_ops(fanout)}; {events} events handled, "
        f"{sum(fanout.values()) / events if events else float('nan'):.2f} per event)"
    )
    print(f"  beside it, the event source's SQS calls: {_ops(source)}")
    print(f"  and the event backbone (stream -> bus): {_ops(backbone)}")
    print(
        f"aim: p99 < 1000 ms locally ({'met' if _percentile(latencies, 0.99) < 1 else 'NOT met'}), "
        f"<= 3 AWS requests per delivered event ({'met' if per_frame <= 3 else 'NOT met'})"
    )


_SQS_OPERATIONS = {
    "ReceiveMessage",
    "DeleteMessageBatch",
    "DeleteMessage",
    "ChangeMessageVisibility",
}


def _ops(ops: dict[str, int]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(ops.items())) or "none"


if __name__ == "__main__":
    main()
