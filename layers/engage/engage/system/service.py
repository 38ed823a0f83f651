"""`GET /health` (checks DynamoDB and SQS for real) and `GET /capabilities` (seed 003)."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from engage.core.aws import client
from engage.core.settings import get_settings

_STARTED = time.monotonic()


def health() -> tuple[dict[str, Any], bool]:
    """`({status, services: {database, queue}, uptime}, healthy)`; uptime in seconds."""
    settings = get_settings()
    services: dict[str, str] = {}
    try:
        client("dynamodb").describe_table(TableName=settings.table_name)
        services["database"] = "ok"
    except (BotoCoreError, ClientError):
        services["database"] = "unavailable"
    try:
        client("sqs").get_queue_attributes(
            QueueUrl=settings.send_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        services["queue"] = "ok"
    except (BotoCoreError, ClientError):
        services["queue"] = "unavailable"
    healthy = all(v == "ok" for v in services.values())
    return {
        "status": "ok" if healthy else "degraded",
        "services": services,
        "uptime": round(time.monotonic() - _STARTED, 1),
    }, healthy


def capabilities() -> dict[str, Any]:
    """What this deployment offers: channels, providers and features."""
    settings = get_settings()
    return {
        "channels": {
            "sms": {"enabled": True, "provider": settings.sms_provider},
            "whatsapp": {"enabled": False},
            "email": {"enabled": False},
            "voice": {"enabled": False},
        },
        "features": [
            "contacts",
            "contacts_import",
            "segments",
            "campaigns",
            "scheduled_campaigns",
            "recurring_campaigns",
            "short_links",
            "delivery_receipts",
            "opt_out_keywords",
            "dashboard",
            "templates",
            "automations_storage",
        ],
        "limits": {
            "importMaxBytes": settings.import_max_bytes,
            "importSyncMaxRows": settings.import_sync_max_rows,
            "pageSizeMax": 100,
        },
        "version": "0.1.0",
    }
