"""Onboarding checklist and quickstart wire schemas (issue 9 `GET /admin/onboarding`,
`GET /admin/docs/quickstart`; seed 001 snake_case)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from engage.core.schemas import PublicModel


class OnboardingStepId(StrEnum):
    """The checklist's steps, in order."""

    PUBLISHABLE_KEY = "create_publishable_key"
    FIRST_END_USER = "identify_first_end_user"
    IDENTITY_VERIFICATION = "enable_identity_verification"
    FIRST_CONVERSATION = "first_conversation"
    FIRST_AGENT_REPLY = "first_agent_reply"
    TEAMMATE = "invite_teammate"


class OnboardingStep(PublicModel):
    """One step: `done` is computed from stored state (`how` says from what)."""

    id: OnboardingStepId
    title: str
    done: bool
    how: str = Field(description="what the step's `done` is computed from")


class OnboardingPublic(PublicModel):
    """GET /admin/onboarding: `completed` when every step is done."""

    completed: bool
    done_count: int = Field(ge=0)
    total: int = Field(ge=1)
    steps: list[OnboardingStep]


class QuickstartKey(PublicModel):
    """The newest active publishable key, to tell which one the snippets want (its value
    cannot be shown again: paste it over the placeholder)."""

    id: str
    name: str
    prefix: str


class QuickstartSnippet(PublicModel):
    """One ready-to-paste snippet."""

    id: str
    title: str
    language: str = Field(description="shell, javascript, python")
    code: str


class QuickstartPublic(PublicModel):
    """GET /admin/docs/quickstart: the tenant's app id and URLs filled in; the key is the
    placeholder `key_placeholder` (keys are never retrievable after their creation)."""

    app_id: str
    api_base_url: str
    realtime_url: str
    key_placeholder: str
    has_publishable_key: bool
    publishable_key: QuickstartKey | None
    identity_verification_enabled: bool
    snippets: list[QuickstartSnippet]
