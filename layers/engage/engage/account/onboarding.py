"""The onboarding checklist (issue 9 `GET /admin/onboarding`), computed from stored state on
each call: the tenant's keys (engage/apikeys), its identity verification flag, the usage
consumer's all-time counters (engage/usage), and its members and pending invitations
(engage/team).
"""

from __future__ import annotations

from engage.account import identity
from engage.account.guide_schemas import OnboardingPublic, OnboardingStep, OnboardingStepId
from engage.apikeys import service as apikeys
from engage.core.errors import NotFound
from engage.team import service as team
from engage.usage import service as usage


def checklist(tenant_id: str) -> OnboardingPublic:
    """Every step with `done`; `completed` when all are. Raises NotFound."""
    state = identity.state_of(tenant_id)
    if state is None:
        raise NotFound("Tenant not found")
    keys = apikeys.overview(tenant_id)
    ever = usage.lifetime(tenant_id)
    conversations = int(ever.conversations or 0) if ever is not None else 0
    replies = int(ever.agent_replies or 0) if ever is not None else 0
    people = team.counts(tenant_id)
    steps = [
        OnboardingStep(
            id=OnboardingStepId.PUBLISHABLE_KEY,
            title="Create a publishable API key",
            done=keys.newest_publishable is not None,
            how="an active publishable key exists (POST /admin/api-keys)",
        ),
        OnboardingStep(
            id=OnboardingStepId.FIRST_END_USER,
            title="Identify your first end user",
            done=keys.any_used,
            how="one of your API keys has authenticated an end user's request",
        ),
        OnboardingStep(
            id=OnboardingStepId.IDENTITY_VERIFICATION,
            title="Turn on identity verification",
            done=state.enabled,
            how="identity_verification_enabled is on (PUT /admin/account)",
        ),
        OnboardingStep(
            id=OnboardingStepId.FIRST_CONVERSATION,
            title="Receive your first conversation",
            done=conversations > 0,
            how="a conversation.created event was counted",
        ),
        OnboardingStep(
            id=OnboardingStepId.FIRST_AGENT_REPLY,
            title="Reply as an agent",
            done=replies > 0,
            how="a public agent message (message.created, not private) was counted",
        ),
        OnboardingStep(
            id=OnboardingStepId.TEAMMATE,
            title="Invite a teammate",
            done=people["members"] > 1 or people["pending_invitations"] > 0,
            how="an invitation is pending or a second member has joined",
        ),
    ]
    done = sum(1 for s in steps if s.done)
    return OnboardingPublic(
        completed=done == len(steps), done_count=done, total=len(steps), steps=steps
    )
