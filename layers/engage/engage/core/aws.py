"""AWS clients, created once per process and pointed at AWS_ENDPOINT_URL when it is set
(the local runtime's embedded moto server). Only store modules and adapters use them.

The clients are botocore's (boto3's clients are the same objects): importing boto3 on top of
botocore costs a cold start some 20-30 ms that no event needs, so boto3 loads only for S3,
whose managed transfers (`upload_fileobj`, `download_fileobj`) it adds (STYLE.md rule 7).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def client(service: str, endpoint_url: str | None = None) -> Any:
    """A shared client for `service` (thread-safe; botocore clients may be shared), at
    `endpoint_url` when given (the API Gateway management API lives at the WebSocket API's
    own URL), else at AWS_ENDPOINT_URL or AWS's."""
    from botocore.config import Config

    from engage.core.settings import get_settings

    settings = get_settings()
    options: dict[str, Any] = {
        "region_name": settings.aws_region,
        "endpoint_url": endpoint_url or settings.aws_endpoint_url,
        "config": Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32),
    }
    with _lock:
        if service == "s3":
            import boto3

            return boto3.session.Session().client(service, **options)  # type: ignore[call-overload]
        import botocore.session

        return botocore.session.get_session().create_client(service, **options)


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto mocks)."""
    client.cache_clear()
