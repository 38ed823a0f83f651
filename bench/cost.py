"""`make bench`: infrastructure dollars per 1M SMS and per 1M voice calls, next to the carrier's.

Nothing here is a constant per message: every AWS request is counted in this run. Two children
run reduced versions of the other benchmarks against moto's server (bench/common.py), with every
botocore request recorded (service, operation, the capacity it consumes, the function it ran
for):
- SMS: `bench.dispatch`'s pipeline (enqueue, dispatch pages, sender, receipts) for
  `--sms` recipients, with one change that makes it the production path: the sandbox's receipts
  go through the status webhook's service (`engage.webhooks.service.status_callback`), one
  callback for `sent` and one for `delivered` per message, as Twilio posts them, instead of the
  sandbox's bulk SQS messages; the receipts worker then applies one SQS message per callback.
- Voice: `bench.call_gating`'s run for `--calls` calls (acquire, place, final status callback,
  record, release, pump). Twilio posts four status callbacks per call (initiated, ringing,
  answered, completed: engage/channels/twilio_voice.py); the bench delivers the final one, and
  the three others are priced like it (same lookup and conditional update, plus a heartbeat).

How each service is derived:
- DynamoDB on-demand: write request units per item written (ceil(size / 1 KB), twice in a
  transaction, +1 per GSI the written item has keys for, KEYS_ONLY projections), read request
  units per item read (ceil(size / 4 KB), half for eventually consistent reads), with item sizes
  computed by DynamoDB's documented rules from this run's items (UpdateItem: the item's size
  after the update, read back unrecorded). Failed conditional writes are billed too (they are).
- SQS: one request per 64 KB chunk of a send, one per receive or delete call (the Lambda event
  source mapping makes those on our behalf: it is billed to the account).
- Step Functions (standard): state transitions of the template's state machines, from the
  number of times each task ran here and its ASL definition.
- Lambda (arm64, the template's memory): invocations from SQS batch sizes, task counts and
  callbacks; duration = this run's CPU time in the function's code + AWS requests x
  AWS_REQUEST_SECONDS + provider API calls x PROVIDER_API_SECONDS (assumed latencies: moto's are
  not AWS's), rounded up to the millisecond.
- API Gateway: one request per API call that started the work, and per provider callback
  unless the template serves the callbacks on the webhooks function's URL (no request fee).
- CloudWatch Logs: the platform's START/END/REPORT lines per invocation plus this run's log
  bytes at INFO. X-Ray: traces of the default sampling rule (5 % beyond 1 per second).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench.common import ROOT, moto_server, run_child

REGION = "us-east-1"
PRICES_AS_OF = "2025-12 (list prices; not fetched by this run: check the sources before quoting)"
# USD, us-east-1, list prices after free tiers, first volume tier.
PRICES: dict[str, tuple[float, str, str]] = {
    "dynamodb_wru": (
        0.625 / 1e6,
        "per write request unit (on-demand)",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    ),
    "dynamodb_rru": (
        0.125 / 1e6,
        "per read request unit (on-demand)",
        "https://aws.amazon.com/dynamodb/pricing/on-demand/",
    ),
    "sqs_request": (
        0.40 / 1e6,
        "per standard-queue request (64 KB chunk)",
        "https://aws.amazon.com/sqs/pricing/",
    ),
    "sfn_transition": (
        0.025 / 1e3,
        "per standard-workflow state transition",
        "https://aws.amazon.com/step-functions/pricing/",
    ),
    "lambda_request": (0.20 / 1e6, "per invocation", "https://aws.amazon.com/lambda/pricing/"),
    "lambda_gb_second": (
        0.0000133334,
        "per GB-second, arm64",
        "https://aws.amazon.com/lambda/pricing/",
    ),
    "apigw_rest": (
        3.50 / 1e6,
        "per REST API request",
        "https://aws.amazon.com/api-gateway/pricing/",
    ),
    "apigw_http": (
        1.00 / 1e6,
        "per HTTP API request (512 KB units)",
        "https://aws.amazon.com/api-gateway/pricing/",
    ),
    "scheduler_invocation": (
        1.00 / 1e6,
        "per EventBridge Scheduler invocation",
        "https://aws.amazon.com/eventbridge/pricing/",
    ),
    "logs_gb": (
        0.50,
        "per GB of CloudWatch Logs ingested (standard)",
        "https://aws.amazon.com/cloudwatch/pricing/",
    ),
    "xray_trace": (
        5.00 / 1e6,
        "per X-Ray trace recorded",
        "https://aws.amazon.com/xray/pricing/",
    ),
}
CARRIER_AS_OF = "2026 (Twilio's US price pages; carrier pass-through fees come on top)"
CARRIER: dict[str, tuple[float, str, str]] = {
    "sms_segment": (
        0.0083,
        "Twilio US outbound SMS, per segment (long code)",
        "https://www.twilio.com/en-us/sms/pricing/us",
    ),
    "voice_minute": (
        0.0140,
        "Twilio US outbound voice, per minute (local number)",
        "https://www.twilio.com/en-us/voice/pricing/us",
    ),
}
# Assumed latencies (moto answers in microseconds; AWS and Twilio do not).
AWS_REQUEST_SECONDS = 0.008  # DynamoDB / SQS round trip inside the region
PROVIDER_API_SECONDS = 0.20  # Twilio REST API round trip (Messages.create, Calls.create)
HTTP_HANDLING_SECONDS = 0.003  # Mangum + FastAPI + signature check around a webhook's service
PLATFORM_LOG_BYTES = 350  # START, END and REPORT lines of one invocation
XRAY_SAMPLED = 0.05  # default sampling rule beyond the 1 trace per second reservoir
CALL_MINUTES = 1  # billed minutes per call (the bench's calls report CallDuration=60)
SMS_CALLBACKS = ("sent", "delivered")  # Twilio status callbacks per message
VOICE_CALLBACKS = 4  # initiated, ringing, answered, completed


# --------------------------------------------------------------------------- the child's recorder
class Recorder:
    """Every botocore request of the process, with the billing units it consumes, attributed
    to the innermost function (`tag`) running on the calling thread."""

    def __init__(self, table: str, gsi_keys: dict[str, list[str]]) -> None:
        self.table = table
        self.gsi_keys = gsi_keys  # index name -> its key attributes
        self.rows: list[tuple[str | None, str, str, dict[str, float]]] = []
        self.cpu: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.log_bytes: Counter[str] = Counter()
        self.local = threading.local()
        self.lock = threading.Lock()

    # -- tags -------------------------------------------------------------------------------------
    def tag(self) -> str | None:
        stack = getattr(self.local, "stack", None)
        return stack[-1][0] if stack else None

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn`, counted as one call of `name`, its CPU time and AWS requests attributed to it."""

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            stack = self.local.__dict__.setdefault("stack", [])
            frame = [name, time.thread_time(), 0.0]
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                elapsed = time.thread_time() - frame[1]
                with self.lock:
                    self.calls[name] += 1
                    self.cpu[name] += elapsed - frame[2]
                if stack:
                    stack[-1][2] += elapsed

        return wrapped

    # -- requests ---------------------------------------------------------------------------------
    def install(self) -> None:
        from botocore.endpoint import Endpoint

        original = Endpoint.make_request
        recorder = self

        def recorded(endpoint: Any, operation_model: Any, request_dict: dict[str, Any]) -> Any:
            result = original(endpoint, operation_model, request_dict)
            if getattr(recorder.local, "quiet", False):
                return result
            service = operation_model.service_model.endpoint_prefix
            operation = operation_model.name
            body = request_dict.get("body") or b"{}"
            try:
                params = json.loads(body) if body else {}
            except (ValueError, TypeError):
                params = {}
            units = recorder.units(service, operation, params, result[1])
            with recorder.lock:
                recorder.rows.append((recorder.tag(), service, operation, units))
            return result

        Endpoint.make_request = recorded  # type: ignore[method-assign]

    def units(
        self, service: str, operation: str, params: dict[str, Any], response: dict[str, Any]
    ) -> dict[str, float]:
        if service == "dynamodb":
            return self._dynamodb(operation, params, response)
        if service == "sqs":
            if operation in ("SendMessage", "SendMessageBatch"):
                entries = params.get("Entries") or [params]
                size = sum(len(e.get("MessageBody", "").encode()) for e in entries)
                return {"sqs": max(1, math.ceil(size / 65536)), "messages": len(entries)}
            return {"sqs": 1}
        return {}

    def _gsi_writes(self, table: str, attributes: set[str]) -> int:
        if table != self.table:
            return 0
        return sum(1 for keys in self.gsi_keys.values() if keys[0] in attributes)

    def _read_back(self, table: str, key: dict[str, Any]) -> dict[str, Any]:
        from engage.core.aws import client

        self.local.quiet = True
        try:
            got: dict[str, Any] = client("dynamodb").get_item(TableName=table, Key=key)
            return dict(got.get("Item") or {})
        finally:
            self.local.quiet = False

    def _write(self, table: str, op: str, body: dict[str, Any]) -> float:
        if op == "Put":
            item = body["Item"]
            return math.ceil(item_size(item) / 1024) + self._gsi_writes(table, set(item))
        if op == "Update":
            item = self._read_back(table, body["Key"])
            names = set((body.get("ExpressionAttributeNames") or {}).values())
            return max(1, math.ceil(item_size(item) / 1024)) + self._gsi_writes(table, names)
        return 1  # Delete (size unknown once gone: the items Engage deletes are small), Check

    def _dynamodb(
        self, operation: str, params: dict[str, Any], response: dict[str, Any]
    ) -> dict[str, float]:
        table = params.get("TableName", "")
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            op = operation.removesuffix("Item")
            return {"wru": self._write(table, op, params)}
        if operation == "BatchWriteItem":
            wru = 0.0
            for name, requests in (params.get("RequestItems") or {}).items():
                for r in requests:
                    put = r.get("PutRequest")
                    wru += self._write(name, "Put", put) if put else 1
            return {"wru": wru}
        if operation == "TransactWriteItems":
            wru = 0.0
            for action in params.get("TransactItems") or []:
                ((op, body),) = action.items()
                wru += 2 * self._write(
                    body["TableName"], {"ConditionCheck": "Check"}.get(op, op), body
                )
            return {"wru": wru}
        consistent = 1.0 if params.get("ConsistentRead") else 0.5
        if operation == "GetItem":
            size = item_size(response.get("Item") or {})
            return {"rru": consistent * max(1, math.ceil(size / 4096))}
        if operation == "BatchGetItem":
            rru = 0.0
            for items in (response.get("Responses") or {}).values():
                rru += sum(0.5 * max(1, math.ceil(item_size(i) / 4096)) for i in items)
            return {"rru": rru}
        if operation == "TransactGetItems":
            items = [r.get("Item") or {} for r in response.get("Responses") or []]
            return {"rru": sum(2 * max(1, math.ceil(item_size(i) / 4096)) for i in items)}
        if operation in ("Query", "Scan"):
            items = response.get("Items") or []
            size = sum(item_size(i) for i in items)
            scanned, count = response.get("ScannedCount", 0), response.get("Count", 0)
            if count and scanned > count:  # filtered out items are read (and billed) too
                size = size * scanned / count
            return {"rru": consistent * max(1, math.ceil(size / 4096))}
        return {}


def item_size(item: dict[str, Any]) -> int:
    """Bytes of a DynamoDB item in wire format, by DynamoDB's rules
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
    names and strings in UTF-8 bytes, numbers ~1 byte per 2 significant digits + 1, binary
    bytes, booleans and nulls 1 byte, lists and maps 3 bytes + 1 per element."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = Decimal(v).normalize().as_tuple().digits
        return len(digits) // 2 + 1 + 1
    if kind == "B":
        return math.ceil(len(v) * 3 / 4)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_size(e) for e in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(e) for k, e in v.items())
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: e}) for e in v)
    return 0


class LogCounter:
    """Counts bytes written to stdout (Powertools' log handler) per tag; the child's result
    goes to the real stdout."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def write(self, text: str) -> int:
        tag = self.recorder.tag()
        if tag:
            with self.recorder.lock:
                self.recorder.log_bytes[tag] += len(text.encode())
        return len(text)

    def flush(self) -> None:
        return None


def _recorder() -> Recorder:
    from local.cfn import table_definitions

    gsis = table_definitions()["EngageTable"].get("GlobalSecondaryIndexes", [])
    recorder = Recorder(
        os.environ["TABLE_NAME"],
        {g["IndexName"]: [k["AttributeName"] for k in g["KeySchema"]] for g in gsis},
    )
    recorder.install()
    sys.stdout = LogCounter(recorder)  # type: ignore[assignment]
    return recorder


def _summary(recorder: Recorder, start: int = 0) -> dict[str, Any]:
    """Per tag: calls, CPU seconds, AWS requests, WRU, RRU, SQS requests and messages."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for tag, service, operation, units in recorder.rows[start:]:
        row = out[tag or "untagged"]
        row["requests"] += 1
        row[f"{service}.requests"] += 1
        for key, value in units.items():
            row[key] += value
        if service == "sqs" and "messages" in units:
            row[f"messages:{operation}"] += units["messages"]
    for tag, calls in recorder.calls.items():
        out[tag]["calls"] = calls
        out[tag]["cpu_seconds"] = recorder.cpu[tag]
        out[tag]["log_bytes"] = recorder.log_bytes[tag]
    return {tag: dict(row) for tag, row in out.items()}


# --------------------------------------------------------------------------- the two runs
def _sms_child(n: int) -> dict[str, Any]:
    recorder = _recorder()
    import bench.dispatch as bench_dispatch
    from engage.campaigns import dispatch, receipts, sender
    from engage.campaigns import enqueue as enqueuing
    from engage.webhooks import service as webhooks

    def as_callbacks(batch: list[Any]) -> None:
        # What Twilio does instead of the sandbox's bulk receipts: one POST per status change.
        for r in batch:
            for status in SMS_CALLBACKS:
                params = {"MessageSid": r.provider_message_id, "MessageStatus": status}
                callback(r.provider, params, r.ref)

    callback = recorder.wrap("webhooks", webhooks.status_callback)
    sender.queue_receipts = as_callbacks  # type: ignore[assignment]
    for name in ("prepare", "resolve_page", "finalize"):
        setattr(dispatch, name, recorder.wrap("dispatch", getattr(dispatch, name)))
    sender.process_record_body = recorder.wrap("sender", sender.process_record_body)
    receipts.apply_receipts = recorder.wrap("receipts", receipts.apply_receipts)
    enqueuing.enqueue = recorder.wrap("campaigns api", enqueuing.enqueue)
    windows: list[int] = []
    measure = bench_dispatch.measure

    def marked(fn: Callable[[], int]) -> dict[str, Any]:
        windows.append(len(recorder.rows))
        return measure(fn)

    bench_dispatch.measure = marked  # type: ignore[assignment]
    result = bench_dispatch._pipeline(n)
    if not windows or recorder.calls["webhooks"] != n * len(SMS_CALLBACKS):
        raise SystemExit(
            "bench.cost: bench.dispatch no longer runs as expected (measure() windows "
            f"{windows}, {recorder.calls['webhooks']} callbacks for {n} messages)"
        )
    return {"units": n, "summary": _summary(recorder, windows[0]), "pipeline": result["units"]}


def _voice_child(calls_n: int) -> dict[str, Any]:
    os.environ["BENCH_CALLS"] = str(calls_n)
    os.environ.setdefault("BENCH_CALL_SECONDS", "0.3")
    recorder = _recorder()
    import bench.call_gating as gating
    from engage.voice import calls, service

    tasks = Counter[str]()
    for action in ("acquire", "requeue", "place", "record", "release"):
        fn = getattr(calls, f"task_{action}")
        setattr(calls, f"task_{action}", recorder.wrap(f"voice_call:{action}", fn))
        tasks[action] = 0
    calls.status_callback = recorder.wrap("webhooks", calls.status_callback)
    start: list[int] = []

    def api(fn: Callable[..., Any]) -> Callable[..., Any]:
        # The window opens at the first upload: writing each call's queue item is per call.
        def first(*args: Any, **kwargs: Any) -> Any:
            if not start:
                start.append(len(recorder.rows))
            return fn(*args, **kwargs)

        return recorder.wrap("voice api", first)

    service.upload_csv = api(service.upload_csv)
    service.start = api(service.start)
    result = gating._child()
    return {"units": calls_n, "summary": _summary(recorder, start[0]), "gating": result}


# --------------------------------------------------------------------------- pricing
def _template() -> dict[str, Any]:
    from local.cfn import load_template

    return load_template()


def _callbacks_through_gateway() -> bool:
    """Whether the template routes provider callbacks through API Gateway REST (Api events on
    WebhooksFunction) rather than the function's own URL (FunctionUrlConfig: no request fee)."""
    props = _template()["Resources"]["WebhooksFunction"]["Properties"]
    return "FunctionUrlConfig" not in props


def _add_callback_gateway(bill: Any, callbacks: float) -> None:
    """Price the provider callbacks' front door as the template has it."""
    if _callbacks_through_gateway():
        bill.add("API Gateway", callbacks, "apigw_rest", callback=True)
    else:
        bill.notes.append(
            f"{callbacks:g} callbacks arrive on the webhooks function URL: no per-request fee"
        )


def _config(template: dict[str, Any], logical_id: str) -> tuple[int, int]:
    """(MemorySize MB, Timeout s) of a function, Globals applied."""
    props = template["Resources"][logical_id]["Properties"]
    globals_ = template["Globals"]["Function"]
    memory = props.get("MemorySize", globals_.get("MemorySize", 128))
    return int(memory), int(props.get("Timeout", globals_.get("Timeout", 3)))


def transitions(definition: dict[str, Any], runs: dict[str, float]) -> float:
    """State transitions of a standard workflow from how often each task action ran: each task
    state entered, plus the non-task state it leads to (a Choice, a Succeed)."""
    total = 0.0
    states = definition["States"]
    for state in states.values():
        action = ((state.get("Parameters") or {}).get("Payload") or {}).get("action")
        if state["Type"] != "Task" or action not in runs:
            continue
        following = states.get(state.get("Next", ""), {})
        hops = 1 + (1 if following.get("Type") in ("Choice", "Pass", "Succeed", "Fail") else 0)
        total += runs[action] * hops
    return total


class Bill:
    """Dollars by service for `units` units of work, scaled to per million."""

    def __init__(self, units: int, template: dict[str, Any]) -> None:
        self.template = template
        self.scale = 1e6 / units
        self.lines: Counter[str] = Counter()
        self.callback_lines: Counter[str] = Counter()
        self.notes: list[str] = []
        self.counted: dict[str, dict[str, float]] = {}

    def count(self, label: str, row: dict[str, float], units: int) -> None:
        """Keep what one function did per unit of work, for the table of counts."""
        self.counted[label] = {
            key: row.get(key, 0.0) / units for key in ("requests", "wru", "rru", "sqs")
        }

    def add(self, service: str, amount: float, price: str, callback: bool = False) -> None:
        dollars = amount * PRICES[price][0] * self.scale
        self.lines[service] += dollars
        if callback:
            self.callback_lines[service] += dollars

    def lambda_fn(
        self,
        logical_id: str,
        invocations: float,
        row: dict[str, float],
        provider_calls: float = 0.0,
        overhead: float = 0.0,
        callback: bool = False,
    ) -> None:
        if invocations <= 0:
            return
        busy = (
            row.get("cpu_seconds", 0.0)
            + row.get("requests", 0.0) * AWS_REQUEST_SECONDS
            + provider_calls * PROVIDER_API_SECONDS
        )
        per_call = math.ceil((busy / invocations + overhead) * 1000) / 1000
        memory_mb, timeout = _config(self.template, logical_id)
        self.add("Lambda requests", invocations, "lambda_request", callback)
        self.add(
            "Lambda duration",
            invocations * per_call * memory_mb / 1024,
            "lambda_gb_second",
            callback,
        )
        logs = invocations * PLATFORM_LOG_BYTES + row.get("log_bytes", 0.0)
        self.add("CloudWatch Logs", logs / 1e9, "logs_gb", callback)
        self.add("X-Ray", invocations * XRAY_SAMPLED, "xray_trace", callback)
        self.notes.append(
            f"{logical_id}: {invocations * self.scale:,.0f} invocations x {per_call * 1000:,.0f}"
            f" ms at {memory_mb} MB"
            + (f"  (OVER its {timeout} s Timeout)" if per_call > timeout else "")
        )

    def aws(
        self, summary: dict[str, dict[str, float]], tags: tuple[str, ...], callback: bool
    ) -> None:
        for tag in tags:
            row = summary.get(tag, {})
            self.add("DynamoDB writes", row.get("wru", 0.0), "dynamodb_wru", callback)
            self.add("DynamoDB reads", row.get("rru", 0.0), "dynamodb_rru", callback)
            self.add("SQS", row.get("sqs", 0.0), "sqs_request", callback)


def sms_bill(run: dict[str, Any], template: dict[str, Any]) -> Bill:
    """Per 1M SMS (one segment each, the bench's message)."""
    n, s = run["units"], run["summary"]
    bill = Bill(n, template)
    # The event source mappings' receives and deletes (untagged: the bench drains the queues as
    # the mapping would); the assertion's reads after the run are not Engage's and not priced.
    bill.add("SQS", s.get("untagged", {}).get("sqs", 0.0), "sqs_request")
    bill.aws(s, ("campaigns api", "dispatch", "sender", "receipts"), callback=False)
    bill.aws(s, ("webhooks",), callback=True)
    for tag in ("campaigns api", "dispatch", "sender", "webhooks", "receipts", "untagged"):
        bill.count({"untagged": "SQS event source"}.get(tag, tag), s.get(tag, {}), n)
    sent_to_send_queue = s["dispatch"].get("messages:SendMessageBatch", 0.0)
    callbacks = s["webhooks"]["calls"]
    bill.lambda_fn("CampaignsFunction", 1, s["campaigns api"])
    bill.lambda_fn("DispatchFunction", s["dispatch"]["calls"], s["dispatch"])
    bill.lambda_fn(
        "SenderFunction", math.ceil(sent_to_send_queue / 10), s["sender"], provider_calls=n
    )
    bill.lambda_fn(
        "WebhooksFunction", callbacks, s["webhooks"], HTTP_HANDLING_SECONDS, callback=True
    )
    bill.lambda_fn("ReceiptsFunction", math.ceil(callbacks / 10), s["receipts"], callback=True)
    with (ROOT / "statemachines/campaign_dispatch.asl.json").open() as fh:
        definition = json.load(fh)
    pages = s["dispatch"]["calls"] - 2
    bill.add(
        "Step Functions",
        transitions(definition, {"prepare": 1, "page": pages, "finalize": 1}),
        "sfn_transition",
    )
    bill.add("API Gateway", 1, "apigw_rest")
    _add_callback_gateway(bill, callbacks)
    bill.lines["carrier"] = n * CARRIER["sms_segment"][0] * bill.scale
    bill.notes.append(f"callbacks per SMS: {callbacks / n:g} ({', '.join(SMS_CALLBACKS)})")
    scheduled = PRICES["scheduler_invocation"][0] * bill.scale
    bill.notes.append(
        f"EventBridge Scheduler: 1 invocation per scheduled campaign run, {scheduled:,.4f} per 1M"
        " SMS if every campaign of this size were scheduled (this one is immediate: not added)"
    )
    return bill


def voice_bill(run: dict[str, Any], template: dict[str, Any]) -> Bill:
    """Per 1M calls of CALL_MINUTES billed minutes."""
    n, s = run["units"], run["summary"]
    bill = Bill(n, template)
    bill.add("SQS", s.get("untagged", {}).get("sqs", 0.0), "sqs_request")
    task_tags = tuple(t for t in s if t.startswith("voice_call:"))
    bill.aws(s, ("voice api", *task_tags), callback=False)
    # The final callback ran here; the three others cost what it costs.
    final = s["webhooks"]
    scaled = {k: v * VOICE_CALLBACKS for k, v in final.items() if k != "calls"}
    bill.aws({"webhooks": scaled}, ("webhooks",), callback=True)
    for tag in ("voice api", *task_tags):
        bill.count(tag, s[tag], n)
    bill.count("webhooks (all 4)", scaled, n)
    tasks = {t.split(":", 1)[1]: s[t]["calls"] for t in task_tags}
    merged: dict[str, float] = Counter()
    for t in task_tags:
        for key in ("cpu_seconds", "requests", "log_bytes"):
            merged[key] += s[t].get(key, 0.0)
    bill.lambda_fn("VoiceFunction", s["voice api"]["calls"], s["voice api"])
    bill.lambda_fn(
        "VoiceCallFunction", sum(tasks.values()), merged, provider_calls=tasks.get("place", 0)
    )
    bill.lambda_fn(
        "WebhooksFunction",
        final["calls"] * VOICE_CALLBACKS,
        scaled,
        HTTP_HANDLING_SECONDS,
        callback=True,
    )
    with (ROOT / "statemachines/voice_call.asl.json").open() as fh:
        definition = json.load(fh)
    bill.add("Step Functions", transitions(definition, tasks), "sfn_transition")
    bill.add("API Gateway", s["voice api"]["calls"], "apigw_rest")
    _add_callback_gateway(bill, final["calls"] * VOICE_CALLBACKS)
    bill.lines["carrier"] = n * CALL_MINUTES * CARRIER["voice_minute"][0] * bill.scale
    bill.notes.append(
        f"callbacks per call: {VOICE_CALLBACKS} (1 measured, {VOICE_CALLBACKS - 1} priced like"
        " it); tasks per call: " + ", ".join(f"{k} {v / n:.2f}" for k, v in sorted(tasks.items()))
    )
    return bill


def print_bill(title: str, unit: str, bill: Bill, carrier_label: str) -> None:
    """What was counted per unit, then dollars per million by service, totals and share."""
    carrier = bill.lines.pop("carrier")
    infra = sum(bill.lines.values())
    print(f"\n{title}")
    print(f"counted per {unit}:{'AWS requests':>16}{'DynamoDB WRU':>14}{'RRU':>8}{'SQS req':>9}")
    for label, row in bill.counted.items():
        print(
            f"  {label:22}{row['requests']:>8.2f}{row['wru']:>14.2f}{row['rru']:>8.2f}"
            f"{row['sqs']:>9.2f}"
        )
    print(f"{'service':24}{'USD per 1M':>14}{'of which callbacks':>22}")
    for service, dollars in sorted(bill.lines.items(), key=lambda kv: -kv[1]):
        print(f"{service:24}{dollars:>14,.2f}{bill.callback_lines.get(service, 0.0):>22,.2f}")
    print(f"{'infrastructure total':24}{infra:>14,.2f}{sum(bill.callback_lines.values()):>22,.2f}")
    print(f"{carrier_label:24}{carrier:>14,.2f}")
    share = infra / (infra + carrier) if infra + carrier else 0.0
    print(f"infrastructure share of the total: {share:.1%}")
    for note in bill.notes:
        print(f"  {note}")
    callbacks = sum(bill.callback_lines.values())
    gateway = bill.callback_lines.get("API Gateway", 0.0)
    if callbacks and gateway >= max(v for k, v in bill.callback_lines.items()):
        rest = gateway
        http = rest * PRICES["apigw_http"][0] / PRICES["apigw_rest"][0]
        print(
            f"  API Gateway REST is the largest cost of the provider callbacks ({rest:,.2f} of"
            f" {callbacks:,.2f}): an HTTP API would cost {http:,.2f}, a Lambda function URL 0.00"
        )


def _run_child(kind: str, n: int, endpoint: str) -> dict[str, Any]:
    """One reduced run (`sms` or `voice`) in a child process, logging at INFO (its log bytes
    are priced) with the call-gating bench's system limit."""
    return run_child(
        "bench.cost",
        kind,
        n,
        endpoint,
        extra_env={
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "VOICE_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:b",
            "SYSTEM_CONCURRENT_CALLS_LIMIT": "12",
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=500, help="recipients of the SMS run")
    parser.add_argument("--calls", type=int, default=120, help="calls of the voice run")
    parser.add_argument("--child", choices=["sms", "voice"])
    parser.add_argument("--n", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        run = _sms_child(args.n) if args.child == "sms" else _voice_child(args.n)
        sys.__stdout__.write(json.dumps(run) + "\n")  # type: ignore[union-attr]
        return
    with moto_server() as endpoint:
        sms = _run_child("sms", args.sms, endpoint)
        voice = _run_child("voice", args.calls, endpoint)
    template = _template()
    print(f"\nCost at AWS list prices, {REGION}, as of {PRICES_AS_OF}")
    print(f"carrier: {CARRIER_AS_OF}")
    print(
        f"counted in this run: {sms['units']} SMS, {voice['units']} calls; assumed latencies: "
        f"AWS {AWS_REQUEST_SECONDS * 1000:g} ms, Twilio API {PROVIDER_API_SECONDS * 1000:g} ms"
    )
    print_bill(
        f"Per 1M SMS (1 segment each; campaigns of {sms['units']} recipients)",
        "SMS",
        sms_bill(sms, template),
        "Twilio SMS",
    )
    print_bill(
        f"Per 1M voice calls ({CALL_MINUTES} billed minute each; campaigns of"
        f" {voice['units'] // 3} calls)",
        "call",
        voice_bill(voice, template),
        "Twilio voice",
    )
    print("\nprices:")
    for key, (price, unit, url) in {**PRICES, **CARRIER}.items():
        print(f"  {key:22}{price:>14.10f} USD {unit}  {url}")


if __name__ == "__main__":
    main()
