"""auth group (seed 001): register, login, refresh, logout, me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from engage.auth import invitations, service
from engage.auth.schemas import (
    AuthInvitationAccept,
    AuthLoggedOutPublic,
    AuthLogin,
    AuthMePublic,
    AuthRefresh,
    AuthRegister,
    AuthTokenPublic,
)
from engage.core.auth import CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.ratelimit import login_limit, refresh_limit
from engage.core.schemas import Ok

router = APIRouter(prefix="/auth", tags=["auth"])


SignInLimited = Annotated[None, Depends(login_limit)]
RefreshLimited = Annotated[None, Depends(refresh_limit)]


@router.post("/register", status_code=201)
def register(body: AuthRegister, _: SignInLimited) -> AuthTokenPublic:
    """Create a tenant and its owner; returns tokens (409 if the e-mail is taken)."""
    return service.register(body)


@router.post("/login")
def login(body: AuthLogin, _: SignInLimited) -> AuthTokenPublic:
    """Exchange e-mail and password for tokens (LOGIN_RATE_LIMIT_PER_MINUTE per client)."""
    return service.login(body)


@router.post("/refresh")
def refresh(body: AuthRefresh, _: RefreshLimited) -> AuthTokenPublic:
    """Rotate a refresh token: the presented one is used up. Presenting a used one again
    revokes its whole chain (401), successors included."""
    return service.refresh(body.refresh_token)


@router.post("/logout")
def logout(body: AuthRefresh) -> Ok[AuthLoggedOutPublic]:
    """Revoke the refresh token and its chain."""
    service.logout(body.refresh_token)
    return Ok(data=AuthLoggedOutPublic())


@router.post("/invitations/{token}/accept")
def accept_invitation(
    token: Annotated[str, Path(min_length=1, max_length=200)],
    body: AuthInvitationAccept,
    _: SignInLimited,
) -> AuthTokenPublic:
    """Accept a team invitation (the token of its `invite_url`) with a password and a name:
    answers tokens as `/auth/login` does. 401 for an unknown, used, revoked or expired
    invitation; 409 when the e-mail already has an account."""
    return invitations.accept(token, body)


@router.get("/me")
def me(principal: CurrentPrincipal) -> Ok[AuthMePublic]:
    """The caller's user, role and tenant."""
    return Ok(data=service.me(principal))


app = create_app("auth", [router])
handler = http_handler(app)
