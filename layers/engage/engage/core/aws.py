"""boto3 clients, created once per process and pointed at AWS_ENDPOINT_URL when it is set
(the local runtime's embedded moto server). Only store modules and adapters use them."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_lock = threading.Lock()


@cache
def client(service: str) -> Any:
    """A shared boto3 client for `service` (thread-safe; boto3 clients may be shared)."""
    from engage.core.settings import get_settings

    settings = get_settings()
    with _lock:
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            region_name=settings.aws_region,
            endpoint_url=settings.aws_endpoint_url,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32),
        )


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto mocks)."""
    client.cache_clear()
