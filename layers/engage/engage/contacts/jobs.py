"""Asynchronous imports for files over IMPORT_SYNC_MAX_ROWS rows (issue 2, "import").

The API stores the checked upload in S3 and queues `{tenantId, jobId}`; the import worker
streams the object back, writes rows in chunks and records progress on the job item after each
chunk. A redelivered message resumes after the last recorded row, so nothing is counted twice.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO, Any

from engage.contacts.importer import (
    ImportResult,
    import_lease,
    import_rows,
    iter_rows,
    open_text,
)
from engage.contacts.models import ImportJobItem
from engage.core import clock, ids, keys
from engage.core.aws import client
from engage.core.errors import NotFound
from engage.core.settings import get_settings
from engage.tenants import service as tenants


def to_public(job: ImportJobItem) -> dict[str, Any]:
    """Wire shape of a job with progress (`processedRows` of `totalRows`)."""
    total = int(job.total_rows)
    done = int(job.processed_rows)
    return {
        "jobId": job.sk,
        "status": job.status,
        "fileName": job.file_name,
        "totalRows": total,
        "processedRows": done,
        "progress": round(100.0 * done / total, 1) if total else 100.0,
        "imported": int(job.imported),
        "skipped": int(job.skipped),
        "invalid": int(job.invalid),
        "errors": job.errors or [],
        "failure": job.failure,
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
    }


def create_job(
    tenant_id: str, binary: IO[bytes], file_name: str | None, rows: int
) -> dict[str, Any]:
    """Store the upload in S3, create the job item and queue it; returns the job."""
    settings = get_settings()
    job_id = ids.new_id()
    s3_key = f"imports/{tenant_id}/{job_id}.csv"
    binary.seek(0)
    client("s3").upload_fileobj(binary, settings.import_bucket, s3_key)
    now = clock.now_iso()
    job = ImportJobItem(
        *keys.import_job_key(tenant_id, job_id),
        status="queued",
        s3_key=s3_key,
        file_name=(file_name or "")[:200] or None,
        total_rows=rows,
        created_at=now,
        updated_at=now,
        expires_at=int(clock.now().timestamp()) + 30 * 86400,
    )
    job.save()
    client("sqs").send_message(
        QueueUrl=settings.import_queue_url,
        MessageBody=json.dumps({"tenantId": tenant_id, "jobId": job_id}),
    )
    return to_public(job)


def get_job(tenant_id: str, job_id: str) -> ImportJobItem:
    """The job; NotFound for unknown or other tenants' ids."""
    try:
        return ImportJobItem.get(*keys.import_job_key(tenant_id, job_id), consistent_read=True)
    except ImportJobItem.DoesNotExist:
        raise NotFound("Import job not found") from None


def run_job(tenant_id: str, job_id: str) -> dict[str, Any]:
    """Process (or resume) a queued job; returns the finished job."""
    job = get_job(tenant_id, job_id)
    if job.status in ("completed", "failed"):
        return to_public(job)
    settings = get_settings()
    country = tenants.get_settings_of(tenant_id).defaultCountry
    result = ImportResult(
        imported=int(job.imported),
        skipped=int(job.skipped),
        invalid=int(job.invalid),
        total_rows=int(job.processed_rows),
        errors=list(job.errors or []),
    )
    job.update(actions=[ImportJobItem.status.set("running")])

    def progress(res: ImportResult, last_row: int) -> None:
        job.update(
            actions=[
                ImportJobItem.processed_rows.set(last_row),
                ImportJobItem.imported.set(res.imported),
                ImportJobItem.skipped.set(res.skipped),
                ImportJobItem.invalid.set(res.invalid),
                ImportJobItem.errors.set(res.errors),
                ImportJobItem.updated_at.set(clock.now_iso()),
            ]
        )

    with import_lease(tenant_id), tempfile.TemporaryFile() as spool:
        client("s3").download_fileobj(settings.import_bucket, job.s3_key, spool)
        text = open_text(spool)
        try:
            _, rows = iter_rows(text, country, start_row=int(job.processed_rows))
            import_rows(tenant_id, rows, result, on_chunk=progress)
        finally:
            text.detach()
    job.update(
        actions=[
            ImportJobItem.status.set("completed"),
            ImportJobItem.processed_rows.set(job.total_rows),
            ImportJobItem.updated_at.set(clock.now_iso()),
        ]
    )
    return to_public(job)


def fail_job(tenant_id: str, job_id: str, reason: str) -> None:
    """Mark a job failed (called when its message reaches the DLQ threshold)."""
    job = get_job(tenant_id, job_id)
    job.update(actions=[ImportJobItem.status.set("failed"), ImportJobItem.failure.set(reason)])
