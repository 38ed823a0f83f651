"""`make bench`: cold import of every Lambda of template.yaml against `import boto3`.

Each function's handler module (`Handler: app.handler` -> `import app`, from its `CodeUri`) is
imported in a FRESH interpreter, the way a Lambda's INIT phase imports it: the function's
directory first on `sys.path`, then the layer's (`layers/engage`, which is `/opt/python` on
AWS), and the environment a deployed function has: the template's Globals and the function's
own variables (resource names replaced by stand-in values, parameters at their defaults) plus the
variables the Lambda runtime sets (`AWS_LAMBDA_FUNCTION_NAME`, `AWS_EXECUTION_ENV`, ...), so
that Powertools behaves as on AWS (with `Tracing: Active`, the Tracer is on). No network: no
module may call AWS while being imported.

`import boto3` is timed the same way in the same run (the floor a Python Lambda that talks to
AWS pays; Engage's functions load botocore, and boto3 itself only for S3 transfers and the
idempotency layer). Only the packages the layer ships (layers/engage/requirements.txt and its
dependencies, plus boto3, which the runtime has) can be imported: the dev tools in .venv would
otherwise change what botocore and the X-Ray SDK load. Each figure is CPU milliseconds of the
child process (the machine may be shared: wall time would measure the neighbours), the median
of interleaved repetitions (boto3, f1, f2, ..., then again).

Goals (issue 8, section 6): workers <= 1.3x boto3, API groups <= 2.0x. Informative: the exit
status is 0 whatever the ratios; the summary line says which functions miss. A second table
says where the time goes: what each shared dependency adds to a process that has boto3.

`python -m bench.cold_start --top SenderFunction` prints the heaviest imports of one function
(`python -X importtime`, cumulative and self milliseconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from local.cfn import ROOT, load_template

LAYER = ROOT / "layers" / "engage"
REQUIREMENTS = LAYER / "requirements.txt"
GOALS = {"worker": 1.3, "API group": 2.0}
# The child refuses packages the layer does not ship (.venv also holds moto, the SAM CLI, httpx,
# awscrt, pyOpenSSL, ..., which botocore and the X-Ray SDK would pick up).
LAYER_ONLY = """
import os, sys
_blocked = frozenset(os.environ.pop("COLD_START_BLOCKED", "").split())
class _NotInLayer:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.partition(".")[0] in _blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NotInLayer)
"""
TIMER = (
    "import time\nt = time.process_time()\nimport {module}\nprint((time.process_time() - t) * 1000)"
)


@dataclass(frozen=True)
class Target:
    """One thing to import in a fresh interpreter: a function's handler module, or boto3."""

    name: str
    kind: str  # "floor", "worker" or "API group"
    module: str
    directory: Path
    env: dict[str, str]


def _stand_in(name: str, value: Any, parameters: dict[str, Any]) -> str:
    """A template value as the deployed function would see it: parameters at their default,
    anything else (a resource's name, ARN or URL) a stand-in value of the right shape."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in parameters:
        default = parameters[value["Ref"]].get("Default")
        if default not in (None, ""):
            return str(default)
    if isinstance(value, (str, int, float)):
        return str(value)
    if name.endswith("_URL"):
        return f"https://stand-in.invalid/{name.lower()}"
    if name.endswith("_ARN"):
        return f"arn:aws:lambda:us-east-1:123456789012:function:{name.lower()}"
    return f"stand-in-{name.lower().replace('_', '-')}"


def _lambda_env(logical_id: str, props: dict[str, Any], template: dict[str, Any]) -> dict[str, str]:
    globals_ = template.get("Globals", {}).get("Function", {})
    parameters = template.get("Parameters", {})
    memory = props.get("MemorySize", globals_.get("MemorySize", 128))
    env = {
        # What the Lambda runtime sets (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_LAMBDA_FUNCTION_NAME": f"engage-{logical_id}",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/engage-{logical_id}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]0123456789abcdef",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_ACCESS_KEY_ID": "cold-start",
        "AWS_SECRET_ACCESS_KEY": "cold-start",
        "AWS_SESSION_TOKEN": "cold-start",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": str(props.get("Handler", "app.handler")),
    }
    tracing = props.get("Tracing", globals_.get("Tracing"))
    if tracing == "Active":
        env["AWS_XRAY_DAEMON_ADDRESS"] = "169.254.79.129:2000"
        env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
        env["_AWS_XRAY_DAEMON_ADDRESS"] = "169.254.79.129"
        env["_AWS_XRAY_DAEMON_PORT"] = "2000"
    variables = {
        **globals_.get("Environment", {}).get("Variables", {}),
        **(props.get("Environment") or {}).get("Variables", {}),
    }
    for name, value in variables.items():
        env[name] = _stand_in(name, value, parameters)
    return env


def targets(template: dict[str, Any] | None = None) -> list[Target]:
    """boto3 first, then every AWS::Serverless::Function of the template, in template order."""
    template = template or load_template()
    out: list[Target] = []
    for logical_id, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        module = str(props.get("Handler", "app.handler")).rsplit(".", 1)[0]
        events = (props.get("Events") or {}).values()
        http = "FunctionUrlConfig" in props or any(e["Type"] in ("Api", "HttpApi") for e in events)
        kind = "API group" if http else "worker"
        env = _lambda_env(logical_id, props, template)
        out.append(Target(logical_id, kind, module, ROOT / props["CodeUri"], env))
    if not out:
        raise SystemExit("template.yaml declares no AWS::Serverless::Function")
    floor_env = dict(out[0].env)
    return [Target("import boto3", "floor", "boto3", ROOT, floor_env), *out]


@cache
def not_in_layer() -> frozenset[str]:
    """Top-level modules of installed distributions a deployed function cannot import: all but
    the closure of layers/engage/requirements.txt (with extras), of engage's own dependencies,
    and of boto3 (the python3.11 runtime ships it)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    keep: set[str] = set()

    def walk(name: str, extras: frozenset[str]) -> None:
        key = canonicalize_name(name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            return
        if key in keep and not extras:
            return
        keep.add(key)
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras | {""}):
                continue
            walk(req.name, frozenset(req.extras))

    walk("engage", frozenset())
    walk("boto3", frozenset())
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            walk(req.name, frozenset(req.extras))
    return frozenset(
        module
        for module, dists in metadata.packages_distributions().items()
        if not any(canonicalize_name(d) in keep for d in dists)
    )


def _command(target: Target, extra: tuple[str, ...] = ()) -> tuple[list[str], dict[str, str]]:
    env = {
        **target.env,
        "PYTHONPATH": os.pathsep.join([str(target.directory), str(LAYER)]),
        "COLD_START_BLOCKED": " ".join(sorted(not_in_layer())),
    }
    code = LAYER_ONLY + TIMER.format(module=target.module)
    return [sys.executable, *extra, "-c", code], env


def time_import(target: Target) -> float:
    """Milliseconds `import <module>` takes in a fresh interpreter (raises on an import error)."""
    cmd, env = _command(target)
    out = subprocess.run(
        cmd, cwd=target.directory, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{target.name}: import {target.module} failed:\n{out.stderr[-3000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def loaded_modules(target: Target) -> set[str]:
    """The top-level packages a fresh `import <module>` leaves in sys.modules."""
    cmd, env = _command(target)
    code = (
        LAYER_ONLY + f"import {target.module}\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    cmd[-1] = code
    out = subprocess.run(
        cmd, cwd=target.directory, env=env, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def top_imports(target: Target, count: int = 30) -> list[tuple[int, int, str]]:
    """(cumulative us, self us, module) of the `count` heaviest imports (`-X importtime`)."""
    cmd, env = _command(target, ("-X", "importtime"))
    out = subprocess.run(
        cmd, cwd=target.directory, env=env, capture_output=True, text=True, check=True
    )
    rows = []
    for line in out.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative), int(self_us), name.rstrip()))
    return sorted(rows, reverse=True)[:count]


# Where the time goes: what each shared dependency adds to a process that imported boto3
# (and what the dependency itself needs), as the functions import them.
COMPONENTS: dict[str, tuple[str, str]] = {
    "pydantic (BaseModel)": ("", "from pydantic import BaseModel"),
    "engage settings (plain pydantic model)": (
        "from pydantic import BaseModel",
        "import engage.core.settings",
    ),
    "Powertools Logger/Metrics/Tracer + X-Ray": (
        "from pydantic import BaseModel",
        "import engage.core.observability",
    ),
    "Powertools batch (SQS workers)": ("", "import aws_lambda_powertools.utilities.batch"),
    "PynamoDB": ("", "import pynamodb.models"),
    "phonenumbers": ("", "import phonenumbers"),
    "FastAPI": ("from pydantic import BaseModel", "import fastapi"),
}


def component_costs(env_of: Target, repetitions: int) -> dict[str, float]:
    """Median CPU ms each component adds after `import boto3` (and its own prerequisites)."""
    out = {}
    for name, (before, statement) in COMPONENTS.items():
        cmd, env = _command(env_of)
        cmd[-1] = (
            LAYER_ONLY
            + f"import boto3\n{before}\nimport time\nt = time.process_time()\n{statement}\n"
            "print((time.process_time() - t) * 1000)"
        )
        samples = []
        for _ in range(repetitions):
            done = subprocess.run(
                cmd, cwd=env_of.directory, env=env, capture_output=True, text=True, check=True
            )
            samples.append(float(done.stdout.strip().splitlines()[-1]))
        out[name] = statistics.median(samples)
    return out


def run(repetitions: int) -> list[dict[str, Any]]:
    """Interleaved repetitions; one row per target with its median and ratio to boto3."""
    all_targets = targets()
    for target in all_targets:  # warm-up: compile .pyc files, fill the page cache
        time_import(target)
    samples: dict[str, list[float]] = {t.name: [] for t in all_targets}
    for _ in range(repetitions):
        for target in all_targets:
            samples[target.name].append(time_import(target))
    floor = statistics.median(samples["import boto3"])
    rows = []
    for target in all_targets:
        median = statistics.median(samples[target.name])
        ratio = median / floor
        goal = GOALS.get(target.kind)
        rows.append(
            {
                "function": target.name,
                "kind": target.kind,
                "median_ms": round(median, 1),
                "ratio": round(ratio, 2),
                "goal": goal,
                "pass": goal is None or ratio <= goal,
            }
        )
    return rows


def print_table(rows: list[dict[str, Any]], repetitions: int) -> None:
    """The table and a one-line summary."""
    print(f"\nCold import (fresh interpreter, median of {repetitions}) against `import boto3`")
    print(f"{'function':28}{'kind':11}{'median ms':>10}{'x boto3':>9}{'goal':>8}  result")
    for row in rows:
        goal = f"<={row['goal']}x" if row["goal"] else ""
        result = "" if row["goal"] is None else ("pass" if row["pass"] else "FAIL")
        print(
            f"{row['function']:28}{row['kind']:11}{row['median_ms']:>10.1f}"
            f"{row['ratio']:>9.2f}{goal:>8}  {result}"
        )
    summary = []
    for kind, goal in GOALS.items():
        of_kind = [r for r in rows if r["kind"] == kind]
        if not of_kind:
            continue
        worst = max(of_kind, key=lambda r: r["ratio"])
        misses = [r["function"] for r in of_kind if not r["pass"]]
        summary.append(
            f"{kind}s: {len(of_kind) - len(misses)}/{len(of_kind)} within {goal}x "
            f"(worst {worst['function']} {worst['ratio']:.2f}x"
            + (f"; over: {', '.join(misses)})" if misses else ")")
        )
    print("summary: " + "; ".join(summary))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--top", metavar="FUNCTION", help="heaviest imports of one function")
    args = parser.parse_args()
    if args.top:
        target = next((t for t in targets() if t.name == args.top), None)
        if target is None:
            raise SystemExit(f"no function {args.top!r} in template.yaml")
        time_import(target)
        print(f"{'cumulative ms':>14}{'self ms':>9}  module ({target.name})")
        for cumulative, self_us, name in top_imports(target):
            print(f"{cumulative / 1000:>14.1f}{self_us / 1000:>9.1f}  {name}")
        return
    rows = run(args.repetitions)
    print_table(rows, args.repetitions)
    floor = rows[0]["median_ms"]
    worker = next(t for t in targets() if t.kind == "worker")
    print("\nwhere the time goes: CPU ms a dependency adds after `import boto3` (x boto3)")
    for name, ms in component_costs(worker, args.repetitions).items():
        print(f"  {name:42}{ms:>8.1f}{ms / floor:>8.2f}")


if __name__ == "__main__":
    main()
