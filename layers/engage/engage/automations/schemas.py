"""Automation wire schemas (seed 004 "Automations Page", seed 000 section 2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TriggerType = Literal[
    "welcome",
    "order_placed",
    "order_fulfilled",
    "abandoned_cart",
    "birthday",
    "win_back",
    "review_request",
    "back_in_stock",
]


class AutomationCreate(BaseModel):
    """POST /automations."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    triggerType: TriggerType
    message: str = Field(min_length=1, max_length=1600)
    active: bool = False


class AutomationUpdate(BaseModel):
    """PUT /automations/{id}: toggle and/or change the message."""

    model_config = ConfigDict(extra="forbid")
    active: bool | None = None
    message: str | None = Field(default=None, min_length=1, max_length=1600)
    name: str | None = Field(default=None, min_length=1, max_length=200)


class AutomationStatus(BaseModel):
    """PUT /automations/{id}/status."""

    model_config = ConfigDict(extra="forbid")
    active: bool
