"""Message templates: `{{firstName}}`, `{{lastName}}`, `{{discount}}`, with an optional fallback
(`{{firstName|there}}`). Unknown variables are rejected when the campaign is created (issue 2,
section 2), so nothing renders as a blank at send time. Links are found here too, so dispatch
can rewrite each to a per-recipient short link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engage.core.errors import ValidationFailed

VARIABLES = ("firstName", "lastName", "discount")
_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\|([^{}]*))?\}\}")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True)
class Template:
    """A validated message: the text, the variables it uses, and its links in order."""

    text: str
    variables: tuple[str, ...]
    links: tuple[str, ...]


def find_links(text: str) -> list[str]:
    """Every http(s) URL in `text`, in order, without trailing punctuation."""
    return [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)]


def check_variables(text: str, discount: str | None = None, field: str = "message") -> list[str]:
    """The variables `text` uses, in order; raises ValidationFailed (naming `field`) for
    unknown ones, or `{{discount}}` used without a discount value."""
    names = [m.group(1) for m in _VAR.finditer(text)]
    unknown = sorted({n for n in names if n not in VARIABLES})
    if unknown:
        raise ValidationFailed(
            "Message uses unknown variables",
            {field: f"unknown variables: {', '.join(unknown)}; allowed: {', '.join(VARIABLES)}"},
        )
    if "discount" in names and not discount:
        raise ValidationFailed(
            "Message uses {{discount}} but no discount value is set",
            {"discountValue": f"required when the {field} uses {{{{discount}}}}"},
        )
    return names


def parse_template(text: str, discount: str | None = None) -> Template:
    """Validate `text`; raises ValidationFailed listing unknown variables, or `{{discount}}`
    used without a discount value."""
    names = check_variables(text, discount)
    links = find_links(_VAR.sub("", text))
    if len(links) > 10:
        raise ValidationFailed("Too many links", {"message": "at most 10 links per message"})
    return Template(text=text, variables=tuple(dict.fromkeys(names)), links=tuple(links))


def render(text: str, values: dict[str, str | None], link_urls: list[str] | None = None) -> str:
    """Fill variables from `values` (missing -> fallback or empty), then replace the i-th link
    with `link_urls[i]`. Collapses doubled spaces left by empty variables."""

    def fill(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        if value:
            return value
        return (m.group(2) or "").strip()

    out = _VAR.sub(fill, text)
    if link_urls:
        iterator = iter(link_urls)

        def swap(m: re.Match[str]) -> str:
            url = m.group(0)
            core = url.rstrip(_TRAILING)
            return next(iterator, core) + url[len(core) :]

        out = _URL.sub(swap, out)
    out = re.sub(r"[ \t]{2,}", " ", out)
    return re.sub(r" +([,.!?])", r"\1", out).strip()
