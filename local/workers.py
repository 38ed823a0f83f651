"""The local runtime's workers, as AWS would run them: SQS pollers that honour
`batchItemFailures`, a ticker that fires EventBridge Scheduler `at(...)` and `rate(...)`
schedules (moto stores but never fires them), and one timer per `Schedule` rule of the
template (the voice tick). `LocalRuntime` (local/runtime.py) mixes them in."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import sys
import threading
import time
from typing import Any

from local.cfn import ACCOUNT, REGION, Resolver
from local.functions import LocalFunction, sqs_event
from local.streams import StreamSource


class Workers:
    """Worker loops over the runtime's functions; they end when `stop` is set."""

    functions: dict[str, LocalFunction]
    resolver: Resolver
    stop: threading.Event
    fired: dict[str, float]

    def _sqs_sources(self) -> list[tuple[LocalFunction, str, str, int]]:
        out = []
        for fn in self.functions.values():
            for event in (fn.properties.get("Events") or {}).values():
                if event["Type"] == "SQS":
                    logical = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                    out.append(
                        (
                            fn,
                            self.resolver.refs[logical],
                            self.resolver.attrs[(logical, "Arn")],
                            int(self.resolver.value(event["Properties"].get("BatchSize", 10))),
                        )
                    )
        return out

    def _poll(self, fn: LocalFunction, url: str, queue_arn: str, batch: int) -> None:
        import boto3

        sqs = boto3.client("sqs")
        while not self.stop.is_set():
            try:
                got = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=min(batch, 10),
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["All"],
                )
            except Exception as exc:  # the server is shutting down
                if self.stop.is_set():
                    return
                print(f"[local] poll {fn.logical_id}: {exc}", file=sys.stderr)
                time.sleep(1)
                continue
            messages = got.get("Messages", [])
            if not messages:
                continue
            event = sqs_event(messages, queue_arn)
            try:
                result = fn.invoke(event) or {}
                failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            except Exception as exc:
                print(f"[local] {fn.logical_id} failed: {exc}", file=sys.stderr)
                failed = {m["MessageId"] for m in messages}
            done = [m for m in messages if m["MessageId"] not in failed]
            for i in range(0, len(done), 10):
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]}
                        for j, m in enumerate(done[i : i + 10])
                    ],
                )
            for m in messages:
                if m["MessageId"] in failed:  # retry soon locally instead of after the timeout
                    sqs.change_message_visibility(
                        QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=2
                    )

    def _stream(self, source: StreamSource) -> None:
        """Deliver a table's stream to its function (local/streams.py), every 50 ms while
        records are waiting (Lambda polls a stream shard about four times a second)."""
        while not self.stop.wait(0.05):
            try:
                source.deliver()
            except Exception as exc:  # the server is shutting down
                if self.stop.is_set():
                    return
                print(f"[local] stream {source.fn.logical_id}: {exc}", file=sys.stderr)
                time.sleep(1)

    def _tick(self) -> None:
        """Fire due EventBridge Scheduler schedules: `at(...)` once, `rate(...)` repeatedly."""
        import boto3

        scheduler = boto3.client("scheduler")
        group = self.resolver.refs.get("CampaignScheduleGroup")
        while not self.stop.wait(1.0):
            try:
                names = [
                    s["Name"]
                    for s in scheduler.list_schedules(GroupName=group).get("Schedules", [])
                ]
                for name in names:
                    self._maybe_fire(scheduler, group, name)
            except Exception as exc:
                if not self.stop.is_set():
                    print(f"[local] scheduler tick: {exc}", file=sys.stderr)

    def _maybe_fire(self, scheduler: Any, group: str | None, name: str) -> None:
        sched = scheduler.get_schedule(Name=name, GroupName=group)
        expr = sched["ScheduleExpression"]
        now = time.time()
        key = f"{name}|{expr}"
        at = re.fullmatch(r"at\((.+)\)", expr)
        rate = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expr)
        if at:
            when = dt.datetime.fromisoformat(at.group(1)).replace(tzinfo=dt.UTC).timestamp()
            if now < when or key in self.fired:
                return
        elif rate:
            period = int(rate.group(1)) * {"minute": 60, "hour": 3600, "day": 86400}[rate.group(2)]
            start = sched.get("StartDate") or sched.get("CreationDate")
            base = start.timestamp() if start else now
            last = self.fired.get(key, base - period if sched.get("StartDate") else base)
            if now < last + period:
                return
        else:
            return
        self.fired[key] = now
        target = sched["Target"]
        fn_name = target["Arn"].split(":function:")[-1]
        fn = next((f for f in self.functions.values() if f.name == fn_name), None)
        if fn is not None:
            threading.Thread(
                target=fn.invoke, args=(json.loads(target.get("Input") or "{}"),), daemon=True
            ).start()
        if at and sched.get("ActionAfterCompletion") == "DELETE":
            scheduler.delete_schedule(Name=name, GroupName=group)

    def _schedule_sources(self) -> list[tuple[LocalFunction, float]]:
        """Functions with `Schedule` events (EventBridge rules) and their period in seconds.
        LOCAL_SCHEDULE_SECONDS, when set, replaces every period (faster local retries)."""
        out = []
        override = os.environ.get("LOCAL_SCHEDULE_SECONDS")
        for fn in self.functions.values():
            for event in (fn.properties.get("Events") or {}).values():
                if event["Type"] != "Schedule":
                    continue
                rate = re.fullmatch(
                    r"rate\((\d+) (minute|hour|day)s?\)", event["Properties"]["Schedule"]
                )
                if rate:
                    unit = {"minute": 60, "hour": 3600, "day": 86400}[rate.group(2)]
                    period = float(override) if override else int(rate.group(1)) * unit
                    out.append((fn, period))
        return out

    def _every(self, fn: LocalFunction, period: float) -> None:
        """Fire a scheduled rule's target the way EventBridge does (a Scheduled Event)."""
        while not self.stop.wait(period):
            event = {
                "version": "0",
                "id": secrets.token_hex(8),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": ACCOUNT,
                "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "region": REGION,
                "resources": [],
                "detail": {},
            }
            try:
                fn.invoke(event)
            except Exception as exc:
                print(f"[local] {fn.logical_id} failed: {exc}", file=sys.stderr)
