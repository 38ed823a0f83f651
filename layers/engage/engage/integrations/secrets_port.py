"""Port: tenant credentials in AWS Secrets Manager (issue 10: credentials never in the table
or a response).

One secret per tenant and channel (or `shopify`), named by `keys.channel_secret_name`, its value
a JSON object of strings. `put` creates the secret (tagged with the tenant) or, when it exists,
stores a new version with `PutSecretValue` (the previous version stays as AWSPREVIOUS).
`get` reads `AWSCURRENT`; values found are cached in the process for CACHE_SECONDS (a write in
the same process replaces its cached value), so a sender reading credentials per message does not
call Secrets Manager each time.
https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
"""

from __future__ import annotations

import json
import threading
import time

from botocore.exceptions import ClientError

from engage.core.aws import client

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, dict[str, str]]] = {}
_lock = threading.Lock()


def put(name: str, value: dict[str, str], tenant_id: str) -> str:
    """Store `value` as the secret `name` (created when new); returns the secret's ARN."""
    sm = client("secretsmanager")
    text = json.dumps(value, separators=(",", ":"))
    try:
        arn = sm.put_secret_value(SecretId=name, SecretString=text)["ARN"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        arn = sm.create_secret(
            Name=name,
            SecretString=text,
            Description="Engage channel credentials (issue 10)",
            Tags=[{"Key": "engage:tenant", "Value": tenant_id}],
        )["ARN"]
    with _lock:
        _cache[name] = (time.monotonic(), dict(value))
    return str(arn)


def get(name: str) -> dict[str, str] | None:
    """The secret `name` as a dict of strings, or None when there is no such secret."""
    with _lock:
        cached = _cache.get(name)
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return dict(cached[1])
    try:
        text = client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise
        return None  # not cached: a secret created by another process shows at once
    raw = json.loads(text)
    if not isinstance(raw, dict):
        return None
    value = {str(k): str(v) for k, v in raw.items()}
    with _lock:
        _cache[name] = (time.monotonic(), value)
    return dict(value)


def forget() -> None:
    """Drop the process's cached values (tests switch between moto mocks)."""
    with _lock:
        _cache.clear()
