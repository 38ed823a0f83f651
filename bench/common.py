"""Benchmark plumbing: every measurement runs in a fresh child process (so its peak memory is
its own) against moto's server (its own process, with local/moto_patches.py) and tables built
from template.yaml, and counts the AWS requests it makes by wrapping botocore's
Endpoint.make_request (boto3 and PynamoDB both use it).
Results are ratios against a raw-boto3 floor measured in the same run, never absolute goals."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = {"count": 0}
OPERATIONS: dict[str, int] = {}
"""Requests by operation (`Service.Operation`) since the last `measure`."""
_COUNT_LOCK = threading.Lock()


def env_for_child() -> dict[str, str]:
    """Settings for the child: test-like names, sandbox provider, no endpoint override."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "STAGE": "local",
            "TABLE_NAME": "bench",
            "IDEMPOTENCY_TABLE_NAME": "bench-idem",
            "SEND_QUEUE_URL": "set-later",
            "RECEIPTS_QUEUE_URL": "set-later",
            "IMPORT_QUEUE_URL": "set-later",
            "IMPORT_BUCKET": "bench-imports",
            "DISPATCH_STATE_MACHINE_ARN": "set-later",
            "SCHEDULER_GROUP": "bench",
            "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/bench",
            "SCHEDULED_DISPATCH_FUNCTION_ARN": "arn:aws:lambda:us-east-1:123456789012:function:b",
            "JWT_SECRET": "bench-secret-0123456789abcdef0123456789",
            "IDENTITY_MASTER_SECRET": "bench-identity-master-secret-0123456789abcdef",
            "URL_SHORTENER_BASE_URL": "https://sho.rt",
            "PUBLIC_BASE_URL": "https://api.test",
            "INITIAL_CREDITS": "1000000",
            # this tree's `engage` first: the venv's editable install may be another checkout's
            "PYTHONPATH": f"{ROOT / 'layers' / 'engage'}{os.pathsep}{ROOT}",
        }
    )
    return env


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server in its own process, so a child's peak memory is only its own."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.moto_server", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.kill()
        proc.wait(timeout=30)


def run_child(
    module: str, mode: str, n: int, endpoint: str, extra_env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `python -m <module> --child <mode> --n <n>` against the moto server at `endpoint`
    (with `extra_env` on top of the bench environment); returns the JSON it prints last.
    Raises RuntimeError with the child's stderr when it fails."""
    env = env_for_child()
    suffix = f"{mode}-{time.time_ns()}"
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "TABLE_NAME": f"bench-{suffix}",
            "IDEMPOTENCY_TABLE_NAME": f"bench-idem-{suffix}",
            "IMPORT_BUCKET": f"bench-imports-{suffix}",
            **(extra_env or {}),
        }
    )
    out = subprocess.run(
        [sys.executable, "-m", module, "--child", mode, "--n", str(n)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{module} {mode} failed:\n{out.stderr[-4000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def count_requests() -> None:
    """Count every AWS request this process makes from now on."""
    from botocore.endpoint import Endpoint

    original = Endpoint.make_request

    def counted(self: Any, operation_model: Any, request_dict: Any) -> Any:
        name = f"{self._endpoint_prefix}.{operation_model.name}"
        with _COUNT_LOCK:
            REQUESTS["count"] += 1
            OPERATIONS[name] = OPERATIONS.get(name, 0) + 1
        return original(self, operation_model, request_dict)

    Endpoint.make_request = counted  # type: ignore[method-assign]


@contextmanager
def moto_tables() -> Iterator[None]:
    """The template's tables, and the queues and bucket a run needs, on the moto server."""
    from local.cfn import create_core_resources

    create_core_resources(os.environ["TABLE_NAME"])
    yield


def measure(fn: Callable[[], int]) -> dict[str, Any]:
    """Time `fn` (which returns how many units it handled) and report the child's figures."""
    REQUESTS["count"] = 0
    OPERATIONS.clear()
    start = time.perf_counter()
    units = fn()
    elapsed = time.perf_counter() - start
    return {
        "units": units,
        "seconds": round(elapsed, 3),
        "per_second": round(units / elapsed, 1) if elapsed else 0.0,
        "requests": REQUESTS["count"],
        "requests_per_unit": round(REQUESTS["count"] / units, 4) if units else 0.0,
        "operations": dict(sorted(OPERATIONS.items(), key=lambda kv: -kv[1])),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def report(
    title: str,
    unit: str,
    pipeline: dict[str, Any],
    floor: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> None:
    """Print the comparison table and the ratio."""
    ratio = pipeline["per_second"] / floor["per_second"] if floor["per_second"] else 0.0
    print(f"\n{title}")
    print(f"{'':24}{'pipeline':>14}{'raw-boto3 floor':>18}")
    for key, label in (
        ("units", unit),
        ("seconds", "seconds"),
        ("per_second", f"{unit}/s"),
        ("requests", "AWS requests"),
        ("requests_per_unit", f"requests per {unit[:-1] if unit.endswith('s') else unit}"),
        ("peak_rss_mb", "peak RSS (MB)"),
    ):
        print(f"{label:24}{pipeline[key]!s:>14}{floor[key]!s:>18}")
    print(f"ratio pipeline/floor: {ratio:.2f}  (aim: >= 0.5)")
    if pipeline.get("operations"):
        print(f"pipeline requests by operation: {pipeline['operations']}")
    for key, value in (extra or {}).items():
        print(f"{key}: {value}")


def bench_main(
    module: str, pipeline: Callable[[int], dict[str, Any]], floor: Callable[[int], dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The shared command line: with `--child`, run one side and print its JSON; without,
    start moto's server, run the floor and then the pipeline in children, and return both."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["pipeline", "floor"])
    parser.add_argument(
        "--n",
        type=int,
        default=int(os.environ.get("BENCH_RECIPIENTS", "20000")),
        help="units to run (default BENCH_RECIPIENTS or 20,000)",
    )
    args = parser.parse_args()
    if args.child:
        count_requests()
        side = pipeline if args.child == "pipeline" else floor
        print(json.dumps(side(args.n)))
        raise SystemExit(0)
    with moto_server() as endpoint:
        floor_result = run_child(module, "floor", args.n, endpoint)
        pipeline_result = run_child(module, "pipeline", args.n, endpoint)
    return pipeline_result, floor_result, args.n
