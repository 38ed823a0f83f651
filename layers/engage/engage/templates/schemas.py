"""Template library wire schemas (seed 004 "Templates Page")."""

from __future__ import annotations

from engage.core.schemas import PublicModel


class TemplatePublic(PublicModel):
    """One copy/paste template; `message` and `content` carry the same text (seed 004)."""

    id: str
    name: str
    category: str
    message: str
    content: str


class TemplateListPublic(PublicModel):
    """GET /templates: `{templates: [...]}`."""

    templates: list[TemplatePublic]
