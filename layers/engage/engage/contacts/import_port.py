"""The asynchronous import's port to S3 and SQS: the file goes to IMPORT_BUCKET, the job to
IMPORT_QUEUE_URL as `{"tenantId", "jobId"}` (the shape `ImportJobMessage` parses)."""

from __future__ import annotations

import json
from typing import IO

from engage.core import keys
from engage.core.aws import client
from engage.core.settings import get_settings


def store_file(tenant_id: str, job_id: str, binary: IO[bytes]) -> str:
    """Upload the checked file from its start; returns its S3 object key."""
    object_key = keys.import_object_key(tenant_id, job_id)
    binary.seek(0)
    client("s3").upload_fileobj(binary, get_settings().import_bucket, object_key)
    return object_key


def fetch_file(object_key: str, into: IO[bytes]) -> None:
    """Download a stored import file into `into` (a binary temporary file)."""
    client("s3").download_fileobj(get_settings().import_bucket, object_key, into)


def queue_job(tenant_id: str, job_id: str) -> None:
    """Queue the job for the import worker."""
    client("sqs").send_message(
        QueueUrl=get_settings().import_queue_url,
        MessageBody=json.dumps({"tenantId": tenant_id, "jobId": job_id}),
    )
