"""Asynchronous imports for files over IMPORT_SYNC_MAX_ROWS rows (issue 2, "import").

The API stores the checked upload in S3 and queues `{tenantId, jobId}`; the import worker
streams the object back, writes rows in chunks and records progress on the job item after each
chunk. A redelivered message resumes after the last recorded row, so nothing is counted twice.
Storage is in `engage.contacts.store`, S3 and SQS behind `engage.contacts.import_port`.
"""

from __future__ import annotations

import tempfile
from typing import IO

from engage.contacts import import_port, store
from engage.contacts.importer import (
    ImportResult,
    import_lease,
    import_rows,
    iter_rows,
    open_text,
)
from engage.contacts.models import ImportJobItem
from engage.contacts.schemas import ContactImportJobPublic, ContactImportJobStatus
from engage.core import clock, ids, keys
from engage.core.errors import NotFound
from engage.tenants import service as tenants

JOB_TTL_SECONDS = 30 * 86400
_FINISHED = (ContactImportJobStatus.COMPLETED, ContactImportJobStatus.FAILED)


def to_public(job: ImportJobItem) -> ContactImportJobPublic:
    """Wire shape of a job with progress (`processedRows` of `totalRows`)."""
    total = int(job.total_rows)
    done = int(job.processed_rows)
    return ContactImportJobPublic.model_validate(
        {
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
    )


def create_job(
    tenant_id: str, binary: IO[bytes], file_name: str | None, rows: int
) -> ContactImportJobPublic:
    """Store the upload in S3, create the job item and queue it; returns the job."""
    job_id = ids.new_id()
    object_key = import_port.store_file(tenant_id, job_id, binary)
    now = clock.now_iso()
    name = (file_name or "")[:200]
    job = ImportJobItem(
        *keys.import_job_key(tenant_id, job_id),
        status=ContactImportJobStatus.QUEUED.value,
        s3_key=object_key,
        file_name=name.encode("utf-8", "replace").decode("utf-8") or None,
        total_rows=rows,
        created_at=now,
        updated_at=now,
        expires_at=int(clock.now().timestamp()) + JOB_TTL_SECONDS,
    )
    store.put_job(job)
    import_port.queue_job(tenant_id, job_id)
    return to_public(job)


def get_job(tenant_id: str, job_id: str) -> ImportJobItem:
    """The job; NotFound for unknown, malformed or other tenants' ids."""
    job = store.get_job(tenant_id, job_id) if 0 < len(job_id) <= 64 else None
    if job is None:
        raise NotFound("Import job not found")
    return job


def run_job(tenant_id: str, job_id: str) -> ContactImportJobPublic:
    """Process (or resume) a queued job; returns the finished job."""
    job = get_job(tenant_id, job_id)
    if job.status in _FINISHED:
        return to_public(job)
    country = tenants.get_settings_of(tenant_id).defaultCountry
    result = ImportResult(
        imported=int(job.imported),
        skipped=int(job.skipped),
        invalid=int(job.invalid),
        total_rows=int(job.processed_rows),
        errors=list(job.errors or []),
    )
    store.update_job(job, status=ContactImportJobStatus.RUNNING.value)

    def progress(res: ImportResult, last_row: int) -> None:
        store.update_job(
            job,
            processed_rows=last_row,
            imported=res.imported,
            skipped=res.skipped,
            invalid=res.invalid,
            errors=res.errors,
            updated_at=clock.now_iso(),
        )

    with import_lease(tenant_id), tempfile.TemporaryFile() as spool:
        import_port.fetch_file(job.s3_key, spool)
        text = open_text(spool)
        try:
            _, rows = iter_rows(text, country, start_row=int(job.processed_rows))
            import_rows(tenant_id, rows, result, on_chunk=progress)
        finally:
            text.detach()
    store.update_job(
        job,
        status=ContactImportJobStatus.COMPLETED.value,
        processed_rows=job.total_rows,
        updated_at=clock.now_iso(),
    )
    return to_public(job)


def fail_job(tenant_id: str, job_id: str, reason: str) -> None:
    """Mark a job failed (its file is unreadable, or its message reached the retry limit)."""
    job = get_job(tenant_id, job_id)
    store.update_job(
        job,
        status=ContactImportJobStatus.FAILED.value,
        failure=reason[:500],
        updated_at=clock.now_iso(),
    )
