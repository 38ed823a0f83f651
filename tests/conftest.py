"""Shared fixtures: moto-backed AWS built from template.yaml, the merged HTTP app, and helpers
that drive the workers the way AWS would (Step Functions loop, SQS batches)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
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
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from moto import mock_aws

from local import moto_patches
from local.cfn import ROOT, create_core_resources
from local.functions import build_http_app, sqs_event, template_functions

moto_patches.install()  # the same moto as the local runtime: partition queries, one lock
FUNCTIONS = template_functions("engage-test")


def reset_caches() -> None:
    """Forget everything read from the environment or bound to a previous mock."""
    from engage.core import auth, aws, db
    from engage.core.settings import get_settings

    get_settings.cache_clear()
    aws.reset_clients()
    db.unbind_models()
    auth.signing_key.cache_clear()


def tokens_seen(tokens: Any) -> dict[str, Any]:
    """Task-token outputs captured by the `h` fixture (see `Harness.run_calls`)."""
    return tokens.CAPTURED  # type: ignore[no-any-return]


class Harness:
    """Moto-backed AWS plus helpers to call routes and run workers."""

    def __init__(self) -> None:
        from fastapi.testclient import TestClient

        self.client = TestClient(build_http_app(FUNCTIONS), raise_server_exceptions=False)
        self.finished: set[str] = set()
        self.calls: dict[str, dict[str, Any]] = {}

    # -- setup -------------------------------------------------------------------------------
    def provision(self) -> None:
        create_core_resources("engage-test")
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
        sqs = boto3.client("sqs")
        url = os.environ[queue_env]
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
        """Run the sender, receipts and import workers until their queues are empty."""
        handled = {"send": 0, "receipts": 0, "import": 0}
        for _ in range(50):
            moved = 0
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

    # -- voice calls ---------------------------------------------------------------------------
    def run_calls(self, callbacks: bool = True, rounds: int | None = None) -> dict[str, int]:
        """Run every started voice-call execution the way statemachines/voice_call.asl.json
        does (moto in-process records executions without running them): Acquire, PlaceCall
        (the task token's output is captured from `tokens.succeed`), Record, Release. With
        `callbacks`, the sandbox provider's callbacks are delivered between rounds, so calls
        complete; without, placed calls stay waiting on their token. With `rounds`, stops after
        that many rounds (settled or not)."""
        from engage.voice import tokens

        sfn = boto3.client("stepfunctions")
        fn = FUNCTIONS["VoiceCallFunction"]
        arn = os.environ["VOICE_STATE_MACHINE_ARN"]
        done = {"executions": 0, "callbacks": 0}
        for _ in range(rounds or 500):
            progressed = False
            for ex in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")[
                "executions"
            ]:
                name = ex["executionArn"]
                state = self.calls.setdefault(name, {"step": "acquire"})
                call = json.loads(sfn.describe_execution(executionArn=name)["input"])
                if state["step"] == "acquire":
                    slot = fn.invoke({"action": "acquire", "call": call})
                    if not slot["acquired"]:
                        fn.invoke({"action": "requeue", "call": call})
                        self._end(sfn, name)
                        progressed = True
                        continue
                    state["token"] = f"token-{ex['name']}"
                    fn.invoke({"action": "place", "call": call, "task_token": state["token"]})
                    state["step"] = "waiting"
                    progressed = True
                if state["step"] == "waiting" and state["token"] in tokens_seen(tokens):
                    result = tokens_seen(tokens).pop(state["token"])
                    fn.invoke({"action": "record", "call": {**call, "result": result}})
                    fn.invoke({"action": "release", "call": call})
                    self._end(sfn, name)
                    done["executions"] += 1
                    progressed = True
            if callbacks:
                for event in self.sqs_event("VOICE_SANDBOX_QUEUE_URL"):
                    result = FUNCTIONS["VoiceSandboxFunction"].invoke(event)
                    assert not result.get("batchItemFailures"), result
                    done["callbacks"] += len(event["Records"])
                    progressed = True
            if not progressed:
                return done
        if rounds:
            return done
        raise AssertionError("voice calls did not settle")

    def _end(self, sfn: Any, arn: str) -> None:
        sfn.stop_execution(executionArn=arn, cause="finished by the test harness")
        self.calls[arn]["step"] = "ended"

    def send_all(self) -> None:
        """Dispatch every started execution and drain the queues."""
        self.run_dispatch()
        self.drain()


def _capture_tokens() -> None:
    """moto in-process does not run executions, so there is no real task token to complete:
    the harness records what would have been sent (a token completes once)."""
    from engage.voice import tokens

    captured: dict[str, Any] = {}

    def succeed(token: str, output: dict[str, Any]) -> bool:
        if token in captured or token in completed:
            return False
        captured[token] = output
        completed.add(token)
        return True

    completed: set[str] = set()
    tokens.CAPTURED = captured  # type: ignore[attr-defined]
    tokens.succeed = succeed  # type: ignore[assignment]
    tokens.heartbeat = lambda token: token not in completed  # type: ignore[assignment]


@pytest.fixture
def h() -> Iterator[Harness]:
    """A fresh moto AWS built from template.yaml, and the harness around it."""
    from engage.channels.sandbox import OUTBOX
    from engage.channels.voice import CALL_OUTBOX
    from engage.core import clock

    reset_caches()
    with mock_aws():
        harness = Harness()
        harness.provision()
        OUTBOX.clear()
        CALL_OUTBOX.clear()
        _capture_tokens()
        try:
            yield harness
        finally:
            clock.set_clock(None)
            reset_caches()
