"""Shared fixtures: moto-backed AWS built from template.yaml, the merged HTTP app, and helpers
that drive the workers the way AWS would (Step Functions loop, SQS batches)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.loaders
import botocore.session
import pynamodb.connection.base
import pytest

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_SERVICE_NAME": "engage-tests",
        "STAGE": "local",
        "TABLE_NAME": "engage-test",
        "IDEMPOTENCY_TABLE_NAME": "engage-test-idempotency",
        "SEND_QUEUE_URL": "placeholder",
        "RECEIPTS_QUEUE_URL": "placeholder",
        "IMPORT_QUEUE_URL": "placeholder",
        "IMPORT_BUCKET": "engage-test-imports",
        "DISPATCH_STATE_MACHINE_ARN": "placeholder",
        "SCHEDULER_GROUP": "engage-test-campaigns",
        "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/engage-test-scheduler",
        "SCHEDULED_DISPATCH_FUNCTION_ARN": (
            "arn:aws:lambda:us-east-1:123456789012:function:engage-test-scheduled-dispatch"
        ),
        "JWT_SECRET": "test-secret-0123456789abcdef0123456789abcdef",
        "SANDBOX_WEBHOOK_SECRET": "sandbox-secret-for-tests",
        "URL_SHORTENER_BASE_URL": "https://sho.rt",
        "PUBLIC_BASE_URL": "https://api.example.test",
        "INITIAL_CREDITS": "1000",
        "VOICE_STATE_MACHINE_ARN": "placeholder",
        "VOICE_SANDBOX_QUEUE_URL": "placeholder",
        "SYSTEM_CONCURRENT_CALLS_LIMIT": "10",
        "DEFAULT_USER_CONCURRENT_CALLS_LIMIT": "2",
        "SANDBOX_CALL_SECONDS": "0",
        "REAPER_GRACE_SECONDS": "60",
        "EVENT_BUS_NAME": "engage-test-events",
        "IDENTITY_MASTER_SECRET": "identity-master-secret-for-tests-0123456789",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws

from local import moto_patches
from local.cfn import ROOT, create_core_resources
from local.functions import build_http_app, sqs_event, template_functions

moto_patches.install()  # the same moto as the local runtime: partition queries, one lock
_LOADER = botocore.loaders.create_loader()
_new_session = botocore.session.get_session


def _session_with_shared_loader(env_vars: Any = None) -> botocore.session.Session:
    """A new botocore session that reads botocore's data files (endpoints.json, 1.2 MB, and
    each service's model) through one loader, which caches them, for the whole run. PynamoDB
    opens a session per model and thread, and every test binds the models afresh, so each
    session parsed those files again: about 0.5 s per model per test on CI's machine."""
    session = _new_session(env_vars)
    session.register_component("data_loader", _LOADER)
    return session


botocore.session.get_session = _session_with_shared_loader
pynamodb.connection.base.get_session = _session_with_shared_loader  # imported by name there
# moto's interpreter logs every caught task failure (a killed execution's) at ERROR
logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
FUNCTIONS = template_functions("engage-test")


def _bus_rule_queue(logical: str) -> str:
    """A queue behind the template's bus rule `logical` (its EventPattern), as deployed."""
    from local.cfn import load_template

    props = load_template()["Resources"][logical]["Properties"]
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"engage-test-{logical}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    bus = os.environ["EVENT_BUS_NAME"]
    events.put_rule(Name=logical, EventBusName=bus, EventPattern=json.dumps(props["EventPattern"]))
    events.put_targets(Rule=logical, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def reset_caches() -> None:
    """Forget everything read from the environment or bound to a previous mock."""
    from engage.core import auth, aws, db
    from engage.core.settings import get_settings

    get_settings.cache_clear()
    aws.reset_clients()
    db.unbind_models()
    auth.signing_key.cache_clear()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "voice_calls: moto executes the voice call state machine (statemachines/"
        "voice_call.asl.json) with its Lambda tasks routed to the real handlers",
    )


class VoiceCallMachine:
    """moto's Step Functions interpreter running the real voice call state machine, its Lambda
    tasks routed to our handlers by the moto shim's `install_lambda_router`, as in the local
    runtime.

    moto runs each execution in its own thread, as Step Functions would. `settle` waits (for an
    event, not a fixed time) until no task is running and every RUNNING execution waits in
    PlaceCall on a task token that nobody has completed yet. A task that raises fails the test
    (`errors`). moto does not wake an execution waiting on a token when it is stopped, so
    `kill_all` stops each one and then fails its token, which ends it without Record or
    Release, as a killed execution would. The moto shim makes a stop that comes before an
    execution's thread has started its program count (local/moto_patches.py)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import (
            lambda_eval_utils,
        )
        from moto.stepfunctions.parser.asl.utils import boto_client
        from moto.stepfunctions.parser.models import StepFunctionsParserBackend

        self.changed = threading.Condition()
        self.running_tasks = 0
        self.tokens: dict[str, str] = {}  # execution name -> its latest PlaceCall token
        self.completed: set[str] = set()
        self.errors: list[str] = []
        machine = self

        def route(name: str, event: dict[str, Any]) -> Any:
            fn = next(f for f in FUNCTIONS.values() if f.name == name)
            with machine.changed:
                machine.running_tasks += 1
                if event.get("task_token"):
                    machine.tokens[str(event["call"]["execution"])] = event["task_token"]
            try:
                return fn.invoke(event)
            except Exception as exc:  # reported to Step Functions as the task's error
                machine.errors.append(f"{fn.logical_id} {event.get('action')}: {exc!r}")
                raise
            finally:
                with machine.changed:
                    machine.running_tasks -= 1
                    machine.changed.notify_all()

        def completes(original: Any) -> Any:
            def wrapper(backend: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
                result = original(backend, task_token, *args, **kwargs)
                with machine.changed:
                    machine.completed.add(task_token)
                    machine.changed.notify_all()
                return result

            return wrapper

        clients: dict[tuple[str, str], Any] = {}

        def cached_client(region: str, service: str, state_credentials: Any = None) -> Any:
            # moto builds a new boto3 client for every task; one per service is enough here
            key = (region, service)
            if key not in clients:
                clients[key] = boto_client.boto_client_for(region, service, state_credentials)
            return clients[key]

        monkeypatch.setattr(lambda_eval_utils, "boto_client_for", cached_client)
        self.uninstall = moto_patches.install_lambda_router(route)
        for name in ("send_task_success", "send_task_failure"):
            original = getattr(StepFunctionsParserBackend, name)
            monkeypatch.setattr(StepFunctionsParserBackend, name, completes(original))

    def _running(self) -> list[dict[str, Any]]:
        sfn = boto3.client("stepfunctions")
        arn = os.environ["VOICE_STATE_MACHINE_ARN"]
        return sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]

    def _parked(self) -> bool:
        """No task running, and every RUNNING execution waits on a token not yet completed."""
        sfn = boto3.client("stepfunctions")
        with self.changed:
            if self.running_tasks:
                return False
        for ex in self._running():
            events = sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
            token = self.tokens.get(ex["name"])
            parked = bool(events) and events[-1]["type"] == "TaskSubmitted"
            if not parked or token is None or token in self.completed:
                return False
        return True

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until the executions are parked (see the class docstring)."""
        deadline = time.monotonic() + timeout
        while not self._parked():
            assert time.monotonic() < deadline, "voice call executions did not settle"
            with self.changed:  # woken early when a task ends or a token is completed
                self.changed.wait(0.05)
        assert not self.errors, self.errors

    def kill_all(self, timeout: float = 60.0) -> list[str]:
        """Stop every RUNNING execution, and any a running task starts meanwhile, and fail the
        PlaceCall token of each stopped one as soon as it has one (see the class docstring),
        until none is RUNNING and no task runs; returns the names of those stopped.

        A stopped execution can still be inside PlaceCall's Lambda call, its token not yet
        known, or still building its environment; so stopping and failing go on until all
        have ended, rather than once over the executions RUNNING at the start."""
        sfn = boto3.client("stepfunctions")
        stopped: list[str] = []
        failed: set[str] = set()
        deadline = time.monotonic() + timeout
        while True:
            running = self._running()
            for ex in running:
                if ex["name"] not in stopped:
                    sfn.stop_execution(executionArn=ex["executionArn"], cause="killed by the test")
                    stopped.append(ex["name"])
            with self.changed:
                tokens = [self.tokens.get(name) for name in stopped]
                waiting = [t for t in tokens if t and t not in self.completed and t not in failed]
                busy = self.running_tasks
            for token in waiting:
                with contextlib.suppress(sfn.exceptions.InvalidToken):
                    sfn.send_task_failure(taskToken=token, error="Killed")
                failed.add(token)
            if not running and not busy:
                return stopped
            assert time.monotonic() < deadline, (
                f"killed executions did not end: {self._describe(running)}; {busy} task(s) running"
            )
            with self.changed:  # woken early when a task ends or a token is completed
                self.changed.wait(0.01)

    def _describe(self, executions: list[dict[str, Any]]) -> list[str]:
        """`name: last history event (token known/completed)` of each execution, for failures."""
        sfn = boto3.client("stepfunctions")
        out = []
        for ex in executions:
            events = sfn.get_execution_history(executionArn=ex["executionArn"])["events"]
            token = self.tokens.get(ex["name"])
            state = "no token" if token is None else f"token completed={token in self.completed}"
            out.append(f"{ex['name']}: {events[-1]['type'] if events else 'not started'} ({state})")
        return out


class Harness:
    """Moto-backed AWS plus helpers to call routes and run workers."""

    def __init__(self) -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(build_http_app(FUNCTIONS), raise_server_exceptions=False)
        self.finished: set[str] = set()
        self.voice: VoiceCallMachine | None = None

    # -- setup -------------------------------------------------------------------------------
    def provision(self) -> None:
        create_core_resources("engage-test")
        self.fanout_url = _bus_rule_queue("RealtimeFanoutRule")
        boto3.client("scheduler").create_schedule_group(Name=os.environ["SCHEDULER_GROUP"])
        definition = (
            (ROOT / "statemachines/campaign_dispatch.asl.json")
            .read_text()
            .replace(
                "${DispatchFunctionArn}",
                "arn:aws:lambda:us-east-1:123456789012:function:engage-test-DispatchFunction",
            )
        )
        sfn = boto3.client("stepfunctions")
        os.environ["DISPATCH_STATE_MACHINE_ARN"] = sfn.create_state_machine(
            name="engage-test-dispatch",
            definition=definition,
            roleArn="arn:aws:iam::123456789012:role/engage-test-sfn",
        )["stateMachineArn"]
        voice = (
            (ROOT / "statemachines/voice_call.asl.json")
            .read_text()
            .replace(
                "${VoiceCallFunctionArn}",
                "arn:aws:lambda:us-east-1:123456789012:function:engage-test-VoiceCallFunction",
            )
        )
        os.environ["VOICE_STATE_MACHINE_ARN"] = sfn.create_state_machine(
            name="engage-test-voice-call",
            definition=voice,
            roleArn="arn:aws:iam::123456789012:role/engage-test-sfn",
        )["stateMachineArn"]
        reset_caches()

    # -- HTTP --------------------------------------------------------------------------------
    def register(self, email: str = "owner@shop.test", tenant: str = "Shop") -> dict[str, str]:
        """Register a tenant; returns Authorization headers."""
        resp = self.client.post(
            "/auth/register",
            json={"email": email, "password": "correct horse battery", "tenantName": tenant},
        )
        assert resp.status_code == 201, resp.text
        return {"Authorization": f"Bearer {resp.json()['access_token']}"}

    def import_csv(self, headers: dict[str, str], content: bytes, name: str = "c.csv") -> Any:
        return self.client.post(
            "/contacts/import", headers=headers, files={"file": (name, content, "text/csv")}
        )

    def contact(self, headers: dict[str, str], phone: str, **fields: Any) -> dict[str, Any]:
        resp = self.client.post(
            "/contacts", headers=headers, json={"phone": phone, "smsConsent": "opted_in", **fields}
        )
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]

    def campaign(self, headers: dict[str, str], **body: Any) -> dict[str, Any]:
        payload = {"name": "Launch", "message": "Hi {{firstName|there}}!", "audience": "all"}
        payload.update(body)
        resp = self.client.post("/campaigns", headers=headers, json=payload)
        assert resp.status_code == 201, resp.text
        return resp.json()["data"]

    # -- workers -----------------------------------------------------------------------------
    def run_dispatch(self) -> list[dict[str, Any]]:
        """Run every started dispatch execution the way the state machine does."""
        sfn = boto3.client("stepfunctions")
        fn = FUNCTIONS["DispatchFunction"]
        finals = []
        arn = os.environ["DISPATCH_STATE_MACHINE_ARN"]
        for ex in sfn.list_executions(stateMachineArn=arn)["executions"]:
            if ex["executionArn"] in self.finished:
                continue
            self.finished.add(ex["executionArn"])
            start = json.loads(sfn.describe_execution(executionArn=ex["executionArn"])["input"])
            state = fn.invoke({"action": "prepare", **start})
            while not state["done"]:
                if state.get("waitUntil"):  # a Wait state: the test inspects it
                    finals.append(state)
                    break
                state = fn.invoke({"action": "page", **state})
            else:
                finals.append(fn.invoke({"action": "finalize", **state}))
        return finals

    def sqs_event(self, queue_env: str, max_batches: int = 1000) -> Iterator[dict[str, Any]]:
        """Lambda events of the messages waiting on the queue at `os.environ[queue_env]`,
        deleted once the caller has taken each event."""
        return self._queue_events(os.environ[queue_env], max_batches)

    def _queue_events(self, url: str, max_batches: int = 1000) -> Iterator[dict[str, Any]]:
        sqs = boto3.client("sqs")
        for _ in range(max_batches):
            got = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            )
            messages = got.get("Messages", [])
            if not messages:
                return
            yield sqs_event(messages, "arn:aws:sqs:us-east-1:123456789012:test")
            for m in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def drain(self) -> dict[str, int]:
        """Deliver the table's stream to the event backbone and run the sender, receipts and
        import workers until the stream and their queues are empty."""
        handled = {"send": 0, "receipts": 0, "import": 0, "stream": 0}
        for _ in range(50):
            moved = self.deliver_stream()
            handled["stream"] += moved
            for event in self._queue_events(self.fanout_url):
                result = FUNCTIONS["RealtimeFanoutFunction"].invoke(event)
                assert not result.get("batchItemFailures"), result
                moved += 1
            for queue, logical, key in (
                ("SEND_QUEUE_URL", "SenderFunction", "send"),
                ("RECEIPTS_QUEUE_URL", "ReceiptsFunction", "receipts"),
                ("IMPORT_QUEUE_URL", "ImportWorkerFunction", "import"),
            ):
                for event in self.sqs_event(queue):
                    result = FUNCTIONS[logical].invoke(event)
                    assert not result.get("batchItemFailures"), result
                    handled[key] += len(event["Records"])
                    moved += 1
            if not moved:
                return handled
        raise AssertionError("queues did not drain")

    def deliver_stream(self) -> int:
        """Give the table's pending stream records to EventsStreamFunction (as Lambda's event
        source mapping does; local/streams.py); returns how many were delivered."""
        from local.streams import stream_sources

        sources = stream_sources(FUNCTIONS, {"EngageTable": os.environ["TABLE_NAME"]})
        return sum(source.deliver() for source in sources)

    # -- voice calls ---------------------------------------------------------------------------
    def run_calls(self, callbacks: bool = True, rounds: int | None = None) -> dict[str, int]:
        """Let the voice-call executions run (moto executes statemachines/voice_call.asl.json;
        see `VoiceCallMachine`) until every one has ended or waits on its task token, then,
        with `callbacks`, deliver the sandbox provider's queued callbacks (whose final status
        completes the token for real) and repeat until no callback is left. With `rounds`,
        stops after that many deliveries (settled or not)."""
        assert self.voice is not None, "mark the test (or module) with pytest.mark.voice_calls"
        done = {"callbacks": 0}
        for _ in range(rounds or 500):
            self.voice.settle()
            delivered = 0
            if callbacks:  # what is queued now; callbacks of calls started meanwhile wait
                for event in list(self.sqs_event("VOICE_SANDBOX_QUEUE_URL")):
                    result = FUNCTIONS["VoiceSandboxFunction"].invoke(event)
                    failures = FUNCTIONS["VoiceSandboxFunction"].load().processor.exceptions
                    assert not result.get("batchItemFailures"), failures
                    delivered += len(event["Records"])
            done["callbacks"] += delivered
            if not delivered:
                return done
        if rounds:
            self.voice.settle()
            return done
        raise AssertionError("voice calls did not settle")

    def kill_calls(self) -> list[str]:
        """Kill every running voice-call execution (no Release, no callback) and wait until
        none is RUNNING; returns their names."""
        assert self.voice is not None, "mark the test (or module) with pytest.mark.voice_calls"
        self.voice.settle()
        return self.voice.kill_all()

    def send_all(self) -> None:
        """Dispatch every started execution and drain the queues."""
        self.run_dispatch()
        self.drain()


@pytest.fixture
def cap_of_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """At most one marketing message per contact per channel per 7 days (the frequency cap)."""
    monkeypatch.setenv("CAMPAIGN_FREQUENCY_CAP", "1")
    reset_caches()


@pytest.fixture
def h(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    """A fresh moto AWS built from template.yaml, and the harness around it. Tests marked
    `voice_calls` also get moto's execution of the voice call state machine."""
    from argon2 import PasswordHasher

    from engage.auth import service as auth_service
    from engage.channels.email_sandbox import EMAIL_OUTBOX
    from engage.channels.sandbox import OUTBOX
    from engage.channels.voice_sandbox import CALL_OUTBOX
    from engage.core import clock

    execute = request.node.get_closest_marker("voice_calls") is not None
    # argon2id as deployed, at a cost for tests: the deployed parameters (m=64 MiB, t=3, p=4)
    # take 0.1-0.4 s a hash on CI's two cores, and most tests register an account or more
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth_service, "_hasher", cheap)
    reset_caches()
    with mock_aws(config={"stepfunctions": {"execute_state_machine": execute}}):
        harness = Harness()
        harness.voice = VoiceCallMachine(monkeypatch) if execute else None
        harness.provision()
        OUTBOX.clear()
        CALL_OUTBOX.clear()
        EMAIL_OUTBOX.clear()
        try:
            yield harness
        finally:
            EMAIL_OUTBOX.clear()
            if harness.voice is not None:
                harness.voice.kill_all()
                harness.voice.uninstall()
            clock.set_clock(None)
            reset_caches()
