"""The inbound e-mail port to S3: SES's receipt rule writes each received message, raw, to
INBOUND_EMAIL_BUCKET; the worker reads it back (the local runtime writes there too)."""

from __future__ import annotations

from engage.core.aws import client
from engage.core.settings import get_settings

MAX_BYTES = 10 * 1024 * 1024 + 1  # one more than mime.MAX_RAW_BYTES: "too large" is seen


def fetch(bucket: str, object_key: str) -> bytes:
    """The stored message's bytes (at most MAX_BYTES of them)."""
    got = client("s3").get_object(Bucket=bucket, Key=object_key, Range=f"bytes=0-{MAX_BYTES - 1}")
    return bytes(got["Body"].read(MAX_BYTES))


def put(object_key: str, raw: bytes) -> str:
    """Store a message as SES would (local runtime); returns the bucket's name."""
    bucket = get_settings().inbound_email_bucket
    client("s3").put_object(Bucket=bucket, Key=object_key, Body=raw)
    return bucket
