"""The one-machine runtime (DESIGN.md section 6): `make dev`.

* an embedded AWS: moto's server on loopback (MOTO_PORT), Step Functions execution switched
  on, every table, queue, bucket, secret, schedule group and state machine created by reading
  template.yaml;
* every endpoint group's routes on one port, one merged OpenAPI page at /docs;
* events delivered in-process with AWS's shapes: SQS pollers that honour `batchItemFailures`,
  Step Functions Lambda tasks routed to the real handlers (moto's Lambda cannot run code without
  Docker), a ticker that fires EventBridge Scheduler schedules (moto stores but never fires them)
  and one thread per `Schedule` rule of the template (the voice tick);
* a local outbox at /_local/outbox listing what the sandbox providers sent: messages with their
  receipts, and calls with their progress (local/pages.py);
* one line per HTTP request in the terminal (local/requestlog.py);
* data kept between runs in a state directory, `.local-state/` by default (local/state.py):
  restored before serving, saved every few seconds while something changes and on Ctrl-C or
  SIGTERM; `--reset` starts empty.
Nothing is seeded: `make demo` walks the main job against it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from local import s3_notifications
from local.cfn import ACCOUNT, REGION, ROOT, Resolver, load_template, table_definitions
from local.functions import LocalFunction, build_http_app, template_functions
from local.state import Snapshots, load_secrets, lock_state_dir, reset, state_dir
from local.streams import stream_sources
from local.workers import Workers

STACK = "engage-local"
GENERATED = ["JWT_SECRET", "SANDBOX_WEBHOOK_SECRET", "IDENTITY_MASTER_SECRET"]
"""Secrets the runtime makes up and keeps in the state directory (local/state.py)."""


class LocalRuntime(Workers):
    """Provision moto from template.yaml and run the workers; see the module docstring."""

    def __init__(self, port: int, moto_port: int, directory: Path, quiet: bool = False) -> None:
        self.port = port
        self.directory = directory
        self.moto_port = moto_port
        self.quiet = quiet
        self.template = load_template()
        self.resolver = Resolver(
            self.template, STACK, {"Stage": "dev", "PublicBaseUrl": f"http://127.0.0.1:{port}"}
        )
        self.functions: dict[str, LocalFunction] = {}
        self.stop = threading.Event()
        self.fired: dict[str, float] = {}
        self.snapshots = Snapshots(directory, self.fired, dispatch_arn="")
        self.threads: list[threading.Thread] = []

    # -- embedded AWS --------------------------------------------------------------------------
    def start_moto(self) -> None:
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "MOTO_PORT": str(self.moto_port),
                "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.moto_port}",
            }
        )
        import logging

        from moto.server import ThreadedMotoServer

        from local import moto_patches

        moto_patches.install()
        moto_patches.install_lambda_router(self._route)
        moto_patches.install_change_listener(self.snapshots.changed)

        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        import requests

        requests.post(
            f"http://127.0.0.1:{self.moto_port}/moto-api/config",
            json={"stepfunctions": {"execute_state_machine": True}},
            timeout=10,
        )

    def _route(self, name: str, event: dict[str, Any]) -> Any:
        """Run the template's function called `name` (moto's Lambda Invoke, see the shim)."""
        fn = next((f for f in self.functions.values() if f.name == name), None)
        if fn is None:
            raise LookupError(f"no function {name}")
        return fn.invoke(event)

    def provision(self) -> dict[str, str]:
        """Create every resource of template.yaml; returns the functions' environment."""
        import boto3

        r = self.resolver
        resources = self.template["Resources"]
        by_type: dict[str, list[str]] = {}
        for logical, res in resources.items():
            by_type.setdefault(res["Type"], []).append(logical)
        arn = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:{{}}"

        secret_names = by_type.get("AWS::SecretsManager::Secret", [])
        kept = load_secrets(self.directory, [*secret_names, *GENERATED])
        sm = boto3.client("secretsmanager")
        for logical in secret_names:
            out = sm.create_secret(Name=f"{STACK}-{logical}", SecretString=kept[logical])
            r.refs[logical] = out["ARN"]

        ddb = boto3.client("dynamodb")
        for logical, args in table_definitions(self.template).items():
            name = f"{STACK}-{logical}"
            ddb.create_table(TableName=name, **args)
            ttl = resources[logical]["Properties"].get("TimeToLiveSpecification")
            if ttl:
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
            r.refs[logical] = name
            r.attrs[(logical, "Arn")] = arn.format("dynamodb", f"table/{name}")

        sqs = boto3.client("sqs")
        queues = by_type.get("AWS::SQS::Queue", [])
        ordered = sorted(queues, key=lambda q: "RedrivePolicy" in resources[q]["Properties"])
        for logical in ordered:
            props = r.value(resources[logical].get("Properties", {}))
            attrs = {
                k: json.dumps(v) if isinstance(v, dict) else str(v)
                for k, v in props.items()
                if k in ("VisibilityTimeout", "RedrivePolicy", "MessageRetentionPeriod")
            }
            name = f"{STACK}-{logical}"
            url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
            r.refs[logical] = url
            r.attrs[(logical, "Arn")] = arn.format("sqs", name)
            r.attrs[(logical, "QueueName")] = name

        s3 = boto3.client("s3")
        for logical in by_type.get("AWS::S3::Bucket", []):
            name = f"{STACK}-{logical}".lower()
            s3.create_bucket(Bucket=name)
            r.refs[logical] = name

        events = boto3.client("events")
        for logical in by_type.get("AWS::Events::EventBus", []):
            name = r.value(resources[logical]["Properties"]["Name"])
            events.create_event_bus(Name=name)
            r.refs[logical] = name
            r.attrs[(logical, "Arn")] = arn.format("events", f"event-bus/{name}")

        for logical in by_type.get("AWS::Events::Rule", []):
            props = resources[logical]["Properties"]
            if "EventPattern" not in props:
                continue
            bus = r.value(props.get("EventBusName", "default"))
            name = f"{STACK}-{logical}"
            rule = events.put_rule(
                Name=name, EventBusName=bus, EventPattern=json.dumps(r.value(props["EventPattern"]))
            )
            r.attrs[(logical, "Arn")] = rule["RuleArn"]
            targets = [{"Id": t["Id"], "Arn": r.value(t["Arn"])} for t in props["Targets"]]
            events.put_targets(Rule=name, EventBusName=bus, Targets=targets)

        iam = boto3.client("iam")
        for logical in by_type.get("AWS::IAM::Role", []):
            props = resources[logical]["Properties"]
            role = iam.create_role(
                RoleName=f"{STACK}-{logical}",
                AssumeRolePolicyDocument=json.dumps(r.value(props["AssumeRolePolicyDocument"])),
            )
            r.attrs[(logical, "Arn")] = role["Role"]["Arn"]

        all_functions = template_functions(STACK)
        for logical in by_type.get("AWS::Serverless::Function", []):
            props = resources[logical]["Properties"]
            name = (
                r.value(props["FunctionName"])
                if "FunctionName" in props
                else (f"{STACK}-{logical}")
            )
            r.refs[logical] = name
            r.attrs[(logical, "Arn")] = arn.format("lambda", f"function:{name}")
            self.functions[logical] = LocalFunction(
                logical, name, all_functions[logical].path, props
            )

        r.refs["EngageApi"] = "local"
        r.refs["EngageLayer"] = "local"
        scheduler = boto3.client("scheduler")
        for logical in by_type.get("AWS::Scheduler::ScheduleGroup", []):
            name = r.value(resources[logical]["Properties"]["Name"])
            scheduler.create_schedule_group(Name=name)
            r.refs[logical] = name

        sfn = boto3.client("stepfunctions")
        for logical in by_type.get("AWS::Serverless::StateMachine", []):
            props = resources[logical]["Properties"]
            definition = (ROOT / props["DefinitionUri"]).read_text()
            for key, value in r.value(props.get("DefinitionSubstitutions", {})).items():
                definition = definition.replace("${" + key + "}", str(value))
            name = r.value(props["Name"])
            out = sfn.create_state_machine(
                name=name,
                definition=definition,
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{STACK}-{logical}-role",
            )
            r.refs[logical] = out["stateMachineArn"]
            r.attrs[(logical, "Name")] = name
            r.attrs[(logical, "Arn")] = out["stateMachineArn"]
        self.snapshots.dispatch_arn = r.refs["DispatchStateMachine"]

        env = {
            k: str(v)
            for k, v in r.value(
                self.template["Globals"]["Function"]["Environment"]["Variables"]
            ).items()
            if v not in (None, "")
        }
        env.update(
            {
                "STAGE": "local",
                "REALTIME_ENDPOINT": f"http://127.0.0.1:{self.port}/_local/realtime",
                "REALTIME_PUBLIC_URL": f"ws://127.0.0.1:{self.port}/v1/realtime",
                # invitation links open this runtime's stand-in /accept-invite page
                "CONSOLE_BASE_URL": os.environ.get(
                    "CONSOLE_BASE_URL", f"http://127.0.0.1:{self.port}"
                ),
                **{name: kept[name] for name in GENERATED},
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
                "ALLOWED_ORIGINS": os.environ.get(
                    "ALLOWED_ORIGINS", f"http://127.0.0.1:{self.port},http://localhost:5173"
                ),
            }
        )
        env.pop("JWT_SECRET_ARN", None)
        env.pop("IDENTITY_MASTER_SECRET_ARN", None)
        for key in (
            "INITIAL_CREDITS",
            "SMS_PROVIDER",
            "CONTACT_SHARDS",
            "MESSAGE_SHARDS",
            "DISPATCH_PAGE_SIZE",
            "RECIPIENTS_PER_MESSAGE",
            "IMPORT_SYNC_MAX_ROWS",
            "IMPORT_MAX_BYTES",
            "LOGIN_RATE_LIMIT_PER_MINUTE",
            "VOICE_PROVIDER",
            "SYSTEM_CONCURRENT_CALLS_LIMIT",
            "DEFAULT_USER_CONCURRENT_CALLS_LIMIT",
            "SANDBOX_CALL_SECONDS",
            "REAPER_GRACE_SECONDS",
        ):
            if os.environ.get(key):  # the developer's own environment wins
                env[key] = os.environ[key]
        return env

    # -- workers (local/workers.py) ----------------------------------------------------------
    def start_workers(self) -> None:
        """Start the rule timers, the SQS pollers, the Scheduler ticker and the snapshots."""
        for fn, period in self._schedule_sources():
            self._thread(self._every, (fn, period), f"rule-{fn.logical_id}")
        for fn, url, queue_arn, batch in self._sqs_sources():
            self._thread(self._poll, (fn, url, queue_arn, batch), f"poll-{fn.logical_id}")
        self._thread(self._tick, (), "scheduler")
        for source in stream_sources(self.functions, self.resolver.refs):
            self._thread(self._stream, (source,), f"stream-{source.fn.logical_id}")
        self._thread(self.snapshots.run, (self.stop,), "snapshots")

    def _thread(self, target: Any, args: tuple[Any, ...], name: str) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=name)
        thread.start()
        self.threads.append(thread)

    def shutdown(self) -> None:
        """Stop the workers (each finishes what it is doing, a few seconds at most) and write
        the last snapshot."""
        self.stop.set()
        deadline = time.monotonic() + 10
        for thread in self.threads:
            thread.join(max(deadline - time.monotonic(), 0))
        took = self.snapshots.write()
        print(f"[local] state saved to {self.directory} ({took:.1f}s)", flush=True)

    # -- HTTP ----------------------------------------------------------------------------------
    def build_app(self) -> Any:
        """Every group's routes and /_local, each request logged on one line (requestlog)."""
        from local.pages import console_router, local_router
        from local.pages_email import email_router
        from local.pages_video import video_local_router
        from local.pages_whatsapp import whatsapp_local_router
        from local.requestlog import RequestLog

        routers = [
            local_router,
            console_router,
            video_local_router,
            whatsapp_local_router,
            email_router,
        ]
        app = build_http_app(self.functions, routers)
        if "RealtimeFunction" in self.functions:
            from local.realtime import Sockets, realtime_router

            self.sockets = Sockets()
            app.include_router(
                realtime_router(self.functions["RealtimeFunction"], self.sockets, self.port)
            )
        app.add_middleware(RequestLog)
        return app


def main(argv: list[str] | None = None) -> None:
    """`make dev`: start the embedded AWS, provision it from template.yaml, put back the state
    kept in the state directory, serve every group; on Ctrl-C or SIGTERM save the state."""
    import warnings

    # Metrics are off locally; Powertools still warns on every invocation without metrics.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    parser = argparse.ArgumentParser(description="Engage local runtime")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5005")))
    parser.add_argument(
        "--state-dir",
        help="where data is kept between runs (default: LOCAL_STATE_DIR, else .local-state/)",
    )
    parser.add_argument("--reset", action="store_true", help="forget the kept data and start empty")
    args = parser.parse_args(argv)
    directory = state_dir(args.state_dir)
    lock_state_dir(directory)
    if args.reset:
        reset(directory)
        print(f"[local] {directory} cleared: starting empty", flush=True)
    for port in (args.port, args.moto_port):
        _check_free(port)
    runtime = LocalRuntime(args.port, args.moto_port, directory)
    runtime.start_moto()
    os.environ.update(runtime.provision())
    from engage.core.settings import get_settings

    get_settings.cache_clear()
    restored = runtime.snapshots.restore()
    s3_notifications.install(runtime.template, runtime.resolver)  # after restore: no replays
    if restored:
        print(
            f"[local] restored from {directory}: "
            + ", ".join(f"{n} {kind}" for kind, n in restored.items()),
            flush=True,
        )
    app = runtime.build_app()
    runtime.start_workers()
    runtime.snapshots.resume()
    print(
        f"Engage local runtime on http://127.0.0.1:{args.port}  (API docs: /docs, "
        f"outbox: /_local/outbox, embedded AWS: http://127.0.0.1:{args.moto_port}, "
        f"data kept in {directory})",
        flush=True,
    )
    import uvicorn

    # uvicorn stops serving on SIGINT/SIGTERM, then raises the signal again with the handler
    # found at start: for SIGTERM make that an exit, so the state is saved below as on Ctrl-C.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    except KeyboardInterrupt:
        pass
    finally:
        runtime.shutdown()
        # Step Functions executions run on moto's own (non-daemon) threads: end the process
        # now, or it would linger, still holding MOTO_PORT and still dispatching.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _check_free(port: int) -> None:
    """Exit with a message when something already listens on `port` (another runtime?)."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise SystemExit(
                f"Port {port} is in use: is another `make dev` running? Stop it, or choose "
                f"other ports (PORT=3001 MOTO_PORT=5006 make dev)."
            ) from None


if __name__ == "__main__":
    main()
