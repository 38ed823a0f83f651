"""`Idempotency-Key` for POSTs that spend money or send (DESIGN.md section 3; seed 000 section 4),
on Powertools' idempotency utility with its DynamoDB persistence layer.

The key is scoped by tenant and action, so two tenants may use the same header value. The
payload hash is validated: the same key with another body is a 409, the same key with the same
body returns the first response without running the action again, and a key whose first call is
still running is a 409 too. A call that raised is not stored, so it can be retried.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from engage.core.aws import client
from engage.core.errors import Conflict, ValidationFailed
from engage.core.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )

_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,255}$")


@cache
def _config() -> IdempotencyConfig:
    # Powertools' idempotency pulls in boto3: loaded by the first keyed request, not at import.
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload",
        expires_after_seconds=24 * 3600,
        raise_on_no_idempotency_key=True,
    )


def _persistence() -> DynamoDBPersistenceLayer:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(
        table_name=get_settings().idempotency_table_name, boto3_client=client("dynamodb")
    )


def run_once(
    key: str | None, scope: str, payload: Any, action: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """Run `action` at most once per (`scope`, `key`); without a key, just run it.

    Raises ValidationFailed for a malformed key and Conflict for a reused key with another
    payload or one still in progress.
    """
    if key is None:
        return action()
    if not _KEY.match(key):
        raise ValidationFailed(
            "Invalid Idempotency-Key",
            {"Idempotency-Key": "1-255 characters of A-Z a-z 0-9 . _ : -"},
        )
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()

    @idempotent_function(
        data_keyword_argument="request", persistence_store=_persistence(), config=_config()
    )
    def _once(request: dict[str, Any]) -> dict[str, Any]:
        return action()

    try:
        with warnings.catch_warnings():
            # Outside Lambda there is no context to register; the record then simply expires.
            warnings.simplefilter("ignore", UserWarning)
            return _once(request={"key": f"{scope}:{key}", "payload": digest})
    except IdempotencyValidationError as exc:
        raise Conflict(
            "Idempotency-Key was already used with a different request",
            {"Idempotency-Key": key},
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress", {"Idempotency-Key": key}
        ) from exc
