"""Powertools Logger, Metrics and Tracer for every function, from one place (STYLE.md rule 6).

Service name, sampling and namespaces come from Powertools' own environment variables
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_TRACE_DISABLED), set in
template.yaml Globals. Never log message bodies, tokens or full phone numbers: use `mask_phone`.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="engage")
metrics = Metrics(namespace="Engage", service="engage")
tracer = Tracer(service="engage")


def mask_phone(phone: str | None) -> str:
    """`+12015550123` -> `+1201*****23`: enough to correlate, not enough to identify."""
    if not phone:
        return ""
    return phone[:5] + "*" * max(len(phone) - 7, 0) + phone[-2:]
