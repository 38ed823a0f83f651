"""Powertools Logger, Metrics and Tracer for every function, from one place (STYLE.md rule 6).

Service name, sampling and namespaces come from Powertools' own environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED), set in
template.yaml Globals. Never log message bodies, tokens or full phone numbers: use `mask_phone`.

Tracing costs nothing where it is off (outside Lambda, or POWERTOOLS_TRACE_DISABLED=true): the
X-Ray SDK is not imported. Where it is on (the template's `Tracing: Active`), the Tracer patches
botocore only, which traces every AWS call (boto3 and PynamoDB both go through it); patching
everything the SDK supports would import `requests`, `sqlite3`, `httpx` and more into every
function at cold start, whether its events use them or not. A module that makes other HTTP
calls (the Twilio adapters, through `requests`) calls `trace_requests()` when it first needs
its client.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="engage")
metrics = Metrics(namespace="Engage", service="engage")
tracer = Tracer(service="engage", patch_modules=("botocore",))


def trace_requests() -> None:
    """Trace calls made with `requests` as X-Ray subsegments (a no-op when tracing is off).
    Idempotent: the X-Ray SDK patches a module once."""
    if not tracer.disabled:
        tracer.patch(modules=("requests",))


def mask_phone(phone: str | None) -> str:
    """`+12015550123` -> `+1201*****23`: enough to correlate, not enough to identify."""
    if not phone:
        return ""
    return phone[:5] + "*" * max(len(phone) - 7, 0) + phone[-2:]
