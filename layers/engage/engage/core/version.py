"""Engage's version, read once from the installed package's metadata (pyproject.toml's
`version`), so it is written in one place: the API document and `/capabilities` both use it."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

UNKNOWN = "0+unknown"


@lru_cache(maxsize=1)
def engage_version() -> str:
    """`importlib.metadata.version("engage")`, e.g. "0.1.0"; "0+unknown" when the `engage`
    distribution's metadata is not installed (a source tree that was never `pip install`ed;
    the Lambda layer carries it)."""
    try:
        return version("engage")
    except PackageNotFoundError:
        return UNKNOWN
