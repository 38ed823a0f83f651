"""Patches to moto for the local runtime, the tests and the benchmarks. Written for one moto
version (MOTO_VERSION, pinned by the lock file): every `install*` function checks the version it
runs on first and raises `MotoVersionError` on another, because each patch replaces a moto
internal that moves between releases (5.1.0 has no `ActionResult`, for one).

`install()`: a performance and correctness shim for moto's DynamoDB.
moto 5's `Table.query` walks `Table.all_items()`, which collects and sorts every item of the
table on every call: a Query costs O(table), where DynamoDB's costs O(page). With 20,000
contacts and their messages in one table, each Query took about 200 ms. For queries on the
base table (no index), this shim hands moto only the queried partition, already in sort-key
order, so moto applies its own key conditions, filters, limits and paging to the same items
DynamoDB would consider. For index queries moto filters every item and then sorts the matches
by the index keys itself, so the shim only skips the needless sort of the whole table first.
moto 5 also serialises every response by walking the botocore shape of each attribute value
(about 0.6 ms per returned item). DynamoDB's protocol is plain JSON whose attribute values are
already in wire form, so for item operations the shim writes the same dict with `json.dumps`
(falling back to moto's serialiser for anything json cannot write, such as binary values).
Finally, moto's DynamoDB has no locking; the shim serialises its operations (see
`_install_lock`; `dynamodb_lock()` hands the same lock to code that reads moto's tables).

`install_lambda_router(route)`: moto's Lambda cannot run code without Docker, so Lambda
`Invoke` (what Step Functions' `arn:aws:states:::lambda:invoke` tasks call) is answered by
`route(function_name, event)` in-process. Works under `mock_aws` and in `ThreadedMotoServer`.

`install_change_listener(on_change)`: calls `on_change()` after every request to moto's server
that may change state (the local runtime's snapshots, local/state.py).
"""

from __future__ import annotations

import copy
import datetime
import inspect
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

MOTO_VERSION = "5.2.5"
"""The moto release these patches are written for (and that the lock file pins)."""

_hint = threading.local()
_installed = False
_lock = threading.RLock()


class MotoVersionError(RuntimeError):
    """moto is not the release the patches are written for."""


def check_version() -> None:
    """Raise MotoVersionError unless the installed moto is MOTO_VERSION."""
    found = version("moto")
    if found != MOTO_VERSION:
        raise MotoVersionError(
            f"local/moto_patches.py patches moto {MOTO_VERSION} internals, but moto {found} is "
            f"installed: reinstall from the lock file (`make setup`), or re-check every patch "
            f"against moto {found} and change MOTO_VERSION."
        )


@contextmanager
def dynamodb_lock() -> Iterator[None]:
    """Hold the lock that serialises moto's DynamoDB operations (for reading moto's tables
    directly, e.g. a snapshot, while requests run)."""
    with _lock:
        yield


def install() -> None:
    """Patch moto's DynamoDB Table once (idempotent). Raises MotoVersionError on another moto."""
    global _installed
    if _installed:
        return
    check_version()
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    original_all_items = Table.all_items

    def all_items(self: Any) -> Any:
        if getattr(_hint, "unsorted", None) is self:  # an index query sorts its own matches
            if not self.range_key_attr:
                return list(self.items.values())
            return [item for partition in self.items.values() for item in partition.values()]
        if getattr(_hint, "table", None) is self:
            partition = self.items.get(_hint.hash_key)
            if partition is None:
                return []
            if not self.range_key_attr:
                return [partition]
            return sorted(partition.values(), key=lambda item: item.range_key)
        return original_all_items(self)

    signature = inspect.signature(original_query)

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, hash_key, *args, **kwargs)
        if bound.arguments.get("index_name"):
            _hint.unsorted = self
            try:
                return original_query(self, hash_key, *args, **kwargs)
            finally:
                _hint.unsorted = None
        if hash_key is None:
            return original_query(self, hash_key, *args, **kwargs)
        _hint.table, _hint.hash_key = self, hash_key
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _hint.table = _hint.hash_key = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    _install_fast_json()
    _install_item_size()
    _install_fast_parse()
    _install_fast_projection()
    _install_stream_trim()
    _install_event_account()
    _install_lock()
    _install_started_executions()
    _installed = True


def _install_started_executions() -> None:
    """moto 5.2.5 bugs: `SendTaskSuccess` / `SendTaskFailure` / `SendTaskHeartbeat` look for the
    token in every RUNNING execution, including one whose worker thread has not built its
    environment yet, and fail with AttributeError. Only started executions can hold a token."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend._get_executions

    def started(backend: Any, *args: Any, **kwargs: Any) -> Any:
        found = original(backend, *args, **kwargs)
        return [e for e in found if e.exec_worker and e.exec_worker.env]

    StepFunctionsParserBackend._get_executions = started  # type: ignore[method-assign]

    # The same race on StopExecution. The worker's thread parses the definition (slow on a
    # loaded machine), then builds its environment, and only then starts the program; until the
    # program runs, moto's stop raises AttributeError (no environment) or does nothing (the
    # environment's program state is not yet "running"), and the execution runs on. Waiting a
    # while for the environment, as this shim once did, closed neither window. Here a stop that
    # comes early is kept, and the program applies it as it starts: the execution aborts before
    # its first state.
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    stop_lock = threading.Lock()
    early_stops: dict[str, dict[str, Any]] = {}  # execution ARN -> set_stop's arguments

    def stop(self: Any, stop_date: datetime.datetime, error: str | None, cause: str | None) -> None:
        wanted = {"stop_date": stop_date, "error": error, "cause": cause}
        with stop_lock:
            env = self.env
            if env is None or not getattr(env, "shim_started", False):
                early_stops[self._evaluation_details.execution_details.arn] = wanted
                return
        env.set_stop(**wanted)

    program_body = Program._eval_body

    def eval_body(self: Any, env: Any) -> None:
        if not env.is_frame():  # the execution's own program, not a Map or Parallel branch
            arn = env.states.context_object.context_object_data["Execution"]["Id"]
            with stop_lock:
                env.shim_started = True
                wanted = early_stops.pop(arn, None)
            if wanted is not None:
                env.set_stop(**wanted)
        program_body(self, env)

    ExecutionWorker.stop = stop  # type: ignore[method-assign]
    Program._eval_body = eval_body  # type: ignore[method-assign]


def _install_lock() -> None:
    """Serialise moto's DynamoDB operations. moto mutates items and whole tables without any
    lock, so concurrent requests (its threaded server, or threads in tests) can read a map while
    another request changes it ("dictionary changed size during iteration") or interleave a
    conditional update's check with another's write. DynamoDB itself applies each item write
    atomically; one lock around every operation gives moto that guarantee (and more)."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def _install_item_size() -> None:
    """moto 5.2.5 checks DynamoDB's 400 KB item limit in `LimitedSizeDict.__setitem__` by
    re-measuring every attribute already set, so building an item of n attributes measures
    n(n+1)/2 attributes: a 14-attribute message item costs five times a 6-attribute one, which
    DynamoDB does not do. An item is built here with one measurement of the whole item and the
    same limit and error (a running sum only grows, so "over the limit at some attribute" is
    "over the limit in total"); later updates keep moto's own check."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    def init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        built = LimitedSizeDict()
        size = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            kind = typed.type
            if kind == "S":  # the common cases of DynamoType.size, without its type tests
                size += len(key.encode()) + len(typed.value.encode())
            elif kind == "N":
                size += len(key.encode()) + len(str(typed.value))
            else:
                size += bytesize(key) + typed.size()
            dict.__setitem__(built, key, typed)
        if size > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = built

    Item.__init__ = init  # type: ignore[method-assign]


def _install_fast_parse() -> None:
    """moto 5.2.5 parses every request by walking the botocore shape of each value (about a
    fifth of a BatchWriteItem's time on the server). A DynamoDB item request is plain JSON whose
    attribute values are already in the form moto keeps, and the walk only changes binary values
    (base64 -> bytes): item requests with no binary value (`"B":` / `"BS":` nowhere in the body;
    a false alarm only takes the slow path) are read with `json.loads`. moto's server also lists
    its own package directory twice per request to route it; that list is fixed per install."""
    import functools

    from moto import backends
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.parse_parameters

    def parse_parameters(self: Any, request: Any) -> None:
        body = request.data
        if (
            self._get_action() in _ITEM_OPERATIONS
            and request.content_encoding != "gzip"
            and b'"B":' not in body
            and b'"BS":' not in body
        ):
            try:
                self.params = json.loads(body)
                return
            except ValueError:
                pass
        original(self, request)

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = functools.cache(lambda: modules)  # type: ignore[assignment]


def _install_fast_projection() -> None:
    """moto 5.2.5 projects an item (`ProjectionExpression`) by converting the whole item to
    Python values once per projected path and back again: a Query page of 1,000 items with six
    projected attributes converts 6,000 whole items. When every path is one top-level attribute
    (no nesting, no list index), the projection is the item's own values of those names; other
    projections keep moto's code."""
    from moto.dynamodb.models.dynamo_type import Item

    original = Item.project
    scalar = {"S", "N", "BOOL", "NULL"}

    def project(self: Any, projection_expressions: list[list[str]]) -> Any:
        if not all(len(path) == 1 and "[" not in path[0] for path in projection_expressions):
            return original(self, projection_expressions)
        attrs = {}
        for (name,) in projection_expressions:
            value = self.attrs.get(name)
            if value is not None:
                attrs[name] = value.to_json() if value.type in scalar else copy.deepcopy(value)
        return Item(hash_key=self.hash_key, range_key=self.range_key, attrs=attrs)

    Item.project = project  # type: ignore[method-assign]


def _install_stream_trim() -> None:
    """moto 5.2.5 keeps every DynamoDB Stream record of a table for the life of the process
    and numbers a record by the count of records kept, so records cannot be dropped. DynamoDB
    keeps 24 hours; the local runtime and the tests drop what the stream consumer has taken
    (`trim_stream`). Records are numbered here past the dropped ones, so sequence numbers stay
    increasing and unique, as DynamoDB's are."""
    from moto.dynamodb.models.table import StreamRecord, StreamShard

    def add(self: Any, old: Any, new: Any) -> None:
        view = self.table.stream_specification["StreamViewType"]
        name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        seq = self.starting_sequence_number + getattr(self, "trimmed", 0) + len(self.items)
        self.items.append(StreamRecord(self.table, view, name, old, new, seq))

    def get(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
        first = max(start - self.starting_sequence_number - getattr(self, "trimmed", 0), 0)
        return [i.to_json() for i in self.items[first : first + quantity]]

    StreamShard.add = add  # type: ignore[method-assign]
    StreamShard.get = get  # type: ignore[method-assign]


def trim_stream(shard: Any, count: int) -> None:
    """Drop the first `count` records of a moto stream shard (they were consumed)."""
    del shard.items[:count]
    shard.trimmed = getattr(shard, "trimmed", 0) + count


def _install_event_account() -> None:
    """moto 5.2.5 drops `account` from the events a rule delivers to its targets (its default
    input template lists every field of an EventBridge event but that one), so a consumer that
    parses the event as AWS sends it (Powertools' `EventBridgeModel`) refuses it."""
    from moto.events.utils import EventTemplateParser

    template = EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE
    if '"account"' not in template:
        EventTemplateParser.DEFAULT_EVENT_INPUT_TEMPLATE = template.replace(
            '"version": "0",', '"version": "0", "account": "<account>",'
        )


_ITEM_SIZE_LIMIT = 405000  # moto's LimitedSizeDict limit (DynamoDB's 400 KB, measured)

_ITEM_OPERATIONS = {
    "Query",
    "Scan",
    "GetItem",
    "BatchGetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
}


def _install_fast_json() -> None:
    from moto.core.responses import ActionResult

    original = ActionResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if (
            context.service_model.service_name == "dynamodb"
            and context.operation_model.name in _ITEM_OPERATIONS
        ):
            try:
                body = json.dumps(self.result, separators=(",", ":"))
            except (TypeError, ValueError):
                return original(self, context)
            return 200, {"Content-Type": "application/x-amz-json-1.0"}, body
        return original(self, context)

    ActionResult.execute_result = execute_result  # type: ignore[method-assign]


LambdaRoute = Callable[[str, dict[str, Any]], Any]
"""`route(function_name, event) -> result`: run the function (its plain name, not its ARN) with
the decoded event and return its JSON-serialisable result. Raise `LookupError` when there is no
such function; any other exception is the function's error (Lambda's `Unhandled`)."""


def install_lambda_router(route: LambdaRoute) -> Callable[[], None]:
    """Answer moto's Lambda `Invoke` with `route` instead of moto's Docker runner, the way
    Lambda answers: the result as the JSON payload, or, when `route` raises, the header
    `x-amz-function-error: Unhandled` and `{"errorType", "errorMessage"}` (Step Functions then
    applies the task's Retry/Catch). No function needs to exist in moto's Lambda backend.

    Returns a function that puts moto's own `invoke` back (tests call it when done). Works
    wherever moto's Lambda backend answers: in `ThreadedMotoServer`, and under `mock_aws`,
    where moto's Step Functions executor (on with
    `mock_aws(config={"stepfunctions": {"execute_state_machine": True}})`) calls Lambda through
    boto3 and so reaches the same backend. For example, to run a real ASL definition in a test::

        with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
            undo = install_lambda_router(lambda name, event: handlers[name](event, None))
            try:
                arn = sfn.create_state_machine(name="m", definition=asl, roleArn=role)[...]
                ...  # start_execution, then poll describe_execution until it is not RUNNING
            finally:
                undo()

    Raises MotoVersionError on another moto release."""
    check_version()
    from moto.awslambda import models as lambda_models

    original = lambda_models.LambdaBackend.invoke

    def invoke(
        self: Any,
        function_name: str,
        qualifier: str | None,
        body: Any,
        headers: Any,
        response_headers: dict[str, str],
    ) -> bytes:
        name = function_name.split(":function:")[-1].split(":")[0]
        try:
            event = json.loads(body) if body else {}
            return json.dumps(route(name, event)).encode()
        except LookupError as exc:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {"errorType": "ResourceNotFoundException", "errorMessage": str(exc)[:1000]}
            ).encode()
        except Exception as exc:  # the function's error, reported to the caller as Lambda does
            print(f"[local] {name} raised {type(exc).__name__}: {exc}", file=sys.stderr)
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(
                {"errorType": type(exc).__name__, "errorMessage": str(exc)[:1000]}
            ).encode()

    lambda_models.LambdaBackend.invoke = invoke  # type: ignore[method-assign]

    def uninstall() -> None:
        lambda_models.LambdaBackend.invoke = original  # type: ignore[method-assign]

    return uninstall


_READ_PREFIXES = ("Get", "List", "Describe", "Query", "Scan", "BatchGet", "TransactGet", "Receive")


def is_change(method: str, target: str | None) -> bool:
    """Whether a request to moto's server may change state: every method but GET and HEAD,
    except JSON-protocol reads (`X-Amz-Target: Service.GetItem`, `.Query`, `.ReceiveMessage`,
    ...)."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    action = (target or "").rpartition(".")[2]
    return not action.startswith(_READ_PREFIXES)


def install_change_listener(on_change: Callable[[], None]) -> None:
    """Call `on_change()` after every request to moto's server (`ThreadedMotoServer`, any
    service) that `is_change`. Raises MotoVersionError on another moto release."""
    check_version()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        try:
            return original(self, environ, start_response)
        finally:
            if is_change(environ.get("REQUEST_METHOD", "GET"), environ.get("HTTP_X_AMZ_TARGET")):
                on_change()

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
