"""Automation wire schemas (seed 004 "Automations Page", seed 000 section 2; camelCase)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText


class AutomationTrigger(StrEnum):
    """The store event an automation answers (firing them is a later issue)."""

    WELCOME = "welcome"
    ORDER_PLACED = "order_placed"
    ORDER_FULFILLED = "order_fulfilled"
    ABANDONED_CART = "abandoned_cart"
    BIRTHDAY = "birthday"
    WIN_BACK = "win_back"
    REVIEW_REQUEST = "review_request"
    BACK_IN_STOCK = "back_in_stock"


class _Body(CheckedText, RequestModel):
    model_config = ConfigDict(alias_generator=to_camel)


class AutomationCreate(_Body):
    """POST /automations."""

    name: str = Field(min_length=1, max_length=200)
    trigger_type: AutomationTrigger
    message: str = Field(min_length=1, max_length=1600)
    active: bool = False


class AutomationUpdate(_Body):
    """PUT /automations/{id}: toggle and/or change the message or name."""

    active: bool | None = None
    message: str | None = Field(default=None, min_length=1, max_length=1600)
    name: str | None = Field(default=None, min_length=1, max_length=200)


class AutomationStatusUpdate(_Body):
    """PUT /automations/{id}/status (seed 000 section 2): `{"active": bool}`."""

    active: bool


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class AutomationPublic(_Camel):
    """An automation."""

    id: str
    name: str
    trigger_type: AutomationTrigger
    message: str
    active: bool
    created_at: str
    updated_at: str


class AutomationListPublic(_Camel):
    """GET /automations: `{automations: [...]}`, oldest first."""

    automations: list[AutomationPublic]
