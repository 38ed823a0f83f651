"""auth group (seed 001): register, login, refresh, logout, me."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from engage.auth import service
from engage.auth.schemas import LoginRequest, RefreshRequest, RegisterRequest, TokenResponse
from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.ratelimit import login_limit

router = APIRouter(prefix="/auth", tags=["auth"])
Limited = Annotated[None, Depends(login_limit)]


@router.post("/register", status_code=201, response_model=TokenResponse)
def register(body: RegisterRequest, _: Limited) -> TokenResponse:
    """Create a tenant and its owner; returns tokens (409 if the e-mail is taken)."""
    return service.register(body)


@router.post("/login", response_model=TokenResponse)
def login(body: LoginRequest, _: Limited) -> TokenResponse:
    """Exchange e-mail and password for tokens."""
    return service.login(body)


@router.post("/refresh", response_model=TokenResponse)
def refresh(body: RefreshRequest, _: Limited) -> TokenResponse:
    """Rotate a refresh token: the presented one stops working."""
    return service.refresh(body.refresh_token)


@router.post("/logout")
def logout(body: RefreshRequest) -> dict[str, Any]:
    """Revoke a refresh token."""
    service.logout(body.refresh_token)
    return ok({"loggedOut": True})


@router.get("/me")
def me(principal: CurrentPrincipal) -> dict[str, Any]:
    """The caller's user, role and tenant."""
    return ok(service.me(principal))


app = create_app("auth", [router])
handler = http_handler(app)
