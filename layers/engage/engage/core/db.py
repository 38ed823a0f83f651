"""PynamoDB base item for the single Engage table and the binding of models to settings.

The key schema mirrors template.yaml's `EngageTable` (PK/SK, GSI1PK/GSI1SK, GSI2PK/GSI2SK);
tests and the local runtime create the table from template.yaml itself, so the schema has one
source. Every model is bound to TABLE_NAME / AWS_ENDPOINT_URL once per cold start, by the first
connection any of them opens (`BaseItem._get_connection`), so no call site binds anything.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

_UNBOUND = "engage-unbound"


class GSI1(GlobalSecondaryIndex[Any]):
    """Overloaded index 1: `LINK#<token>` (short links) and `PHONE#<e164>` (inbound replies)."""

    class Meta:
        index_name = "GSI1"
        projection = KeysOnlyProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class GSI2(GlobalSecondaryIndex[Any]):
    """Overloaded index 2: `PSID#<provider>#<id>` (delivery receipts by provider message id)."""

    class Meta:
        index_name = "GSI2"
        projection = KeysOnlyProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class GSI3(GlobalSecondaryIndex[Any]):
    """Overloaded index 3: `T#<t>#SYNC#<contactId>` (an end user's changes, declared by
    engage/conversations/models.py) and `T#<t>#CALLS#<contactId>` (a contact's voice calls,
    `keys.contact_calls_index_pk`)."""

    class Meta:
        index_name = "GSI3"
        projection = KeysOnlyProjection()

    gsi3pk = UnicodeAttribute(hash_key=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(range_key=True, attr_name="GSI3SK")


class BaseItem(Model):
    """Common key attributes. Subclasses add their own attributes; keys come from `core.keys`."""

    class Meta:
        table_name = _UNBOUND
        region = "us-east-1"

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    expires_at = NumberAttribute(null=True, attr_name="expiresAt")

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """PynamoDB's connection hook: binds every model to the settings on first use."""
        if _bound is None or cls.Meta.table_name != _bound[0]:
            bind_models(force=_bound is not None)
        return super()._get_connection()


_bound: tuple[str, str | None, str] | None = None


def _all_models(cls: type[Model] = BaseItem) -> list[type[Model]]:
    out: list[type[Model]] = [cls]
    for sub in cls.__subclasses__():
        out.extend(_all_models(sub))
    return out


def bind_models(force: bool = False) -> None:
    """Point every BaseItem subclass at the configured table and endpoint (idempotent).

    Called by the first connection after a cold start (or after `unbind_models`), and again
    (`force`) by the first connection of a model class defined after that binding.
    """
    global _bound
    from engage.core.settings import get_settings

    s = get_settings()
    target = (s.table_name, s.aws_endpoint_url, s.aws_region)
    if _bound == target and not force:
        return
    for model in _all_models():
        meta = model.Meta
        meta.table_name = s.table_name  # type: ignore[attr-defined]
        meta.host = s.aws_endpoint_url  # type: ignore[attr-defined]
        meta.region = s.aws_region  # type: ignore[attr-defined]
        meta.max_pool_connections = 32  # type: ignore[attr-defined]
        model._connection = None
        for attr in vars(model).values():
            if isinstance(attr, GlobalSecondaryIndex):
                attr._connection = None  # type: ignore[attr-defined]
    _bound = target


def unbind_models() -> None:
    """Forget the binding (tests switch settings between cases)."""
    global _bound
    _bound = None
