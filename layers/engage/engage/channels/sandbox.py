"""The sandbox SMS provider: the default for development and tests.

It records every message in an in-process outbox (what the local runtime's `/_local/outbox`
page shows), refuses Twilio's documented magic test numbers the way Twilio's test credentials
do (https://www.twilio.com/docs/iam/test-credentials), and simulates a `delivered` receipt for
every accepted message.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from engage.channels.base import OutboundSms, Receipt, SendResult
from engage.core import clock, ids

# Twilio test-credential "To" numbers and the errors Twilio returns for them.
MAGIC_FAILURES = {
    "+15005550001": "21211 invalid 'To' phone number",
    "+15005550002": "21612 cannot route to this number",
    "+15005550003": "21408 no international permission",
    "+15005550004": "21610 number is blocked (replied STOP)",
    "+15005550009": "21614 number is not SMS-capable",
}


class Outbox:
    """A bounded, thread-safe record of what a sandbox provider sent (newest last), each
    record found by its provider id under `key` (`providerMessageId`, or `callSid` for calls)."""

    def __init__(self, capacity: int = 50_000, key: str = "providerMessageId") -> None:
        self._items: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._by_id: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._key = key

    def add(self, record: dict[str, Any]) -> None:
        """Record one message or call."""
        with self._lock:
            if len(self._items) == self._items.maxlen:
                self._by_id.pop(self._items[0][self._key], None)
            self._items.append(record)
            self._by_id[record[self._key]] = record

    def set_status(self, provider_id: str, status: str) -> None:
        """Update a record's status (receipts, call progress)."""
        with self._lock:
            record = self._by_id.get(provider_id)
            if record:
                record["status"] = status
                record["updatedAt"] = clock.now_iso()

    def list(self, limit: int = 500) -> list[dict[str, Any]]:
        """The newest `limit` records, newest first."""
        with self._lock:
            return [dict(r) for r in list(self._items)[-limit:]][::-1]

    def count(self) -> int:
        """How many records are held."""
        with self._lock:
            return len(self._items)

    def clear(self) -> None:
        """Forget everything (tests)."""
        with self._lock:
            self._items.clear()
            self._by_id.clear()


OUTBOX = Outbox()


class SandboxSms:
    """Records instead of sending; see the module docstring."""

    name = "sandbox"

    def __init__(self, outbox: Outbox = OUTBOX) -> None:
        self.outbox = outbox
        self._pending: list[Receipt] = []

    def send(self, message: OutboundSms) -> SendResult:
        """Accept (and record) the message, or fail it like Twilio's magic numbers."""
        pid = "SB" + ids.token(30)
        error = MAGIC_FAILURES.get(message.to)
        status = "failed" if error else "sent"
        self.outbox.add(
            {
                "providerMessageId": pid,
                "channel": "sms",
                "to": message.to,
                "from": message.sender,
                "body": message.body,
                "status": status,
                "error": error,
                "ref": message.ref,
                "createdAt": clock.now_iso(),
                "updatedAt": clock.now_iso(),
            }
        )
        if error:
            return SendResult("failed", pid, error)
        self._pending.append(Receipt("sandbox", pid, "delivered", None, message.ref))
        return SendResult("sent", pid)

    def flush(self) -> list[Receipt]:
        """The simulated receipts of everything accepted since the last flush."""
        out, self._pending = self._pending, []
        return out
