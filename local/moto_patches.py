"""A performance shim for moto's DynamoDB, used by the local runtime and the benchmarks.

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
`_install_lock`). Nothing else changes.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

_hint = threading.local()
_installed = False


def install() -> None:
    """Patch moto's DynamoDB Table once (idempotent)."""
    global _installed
    if _installed:
        return
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
    _install_lock()
    _installed = True


def _install_lock() -> None:
    """Serialise moto's DynamoDB operations. moto mutates items and whole tables without any
    lock, so concurrent requests (its threaded server, or threads in tests) can read a map while
    another request changes it ("dictionary changed size during iteration") or interleave a
    conditional update's check with another's write. DynamoDB itself applies each item write
    atomically; one lock around every operation gives moto that guarantee (and more)."""
    from moto.dynamodb.responses import DynamoHandler

    lock = threading.RLock()
    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


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
    import json

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
