"""The standing of the principals behind open sockets, read in one request (issue 9 "Roles": a
deactivated or removed member's tokens stop working at once; "Keys": a revoked key stops
working at once).

`$connect` checks a member (auth/members.py) or an end user's API key (endusers/auth.py) once;
an open socket outlives that check, so the fan-out and every client frame read the standing
again: one strongly consistent BatchGetItem of the distinct members' user items
(`keys.user_key`) and API key items (`keys_chat.api_key_key`) together. A member counts while
their user item exists and is not `active: false` (items written before `active` existed count
as active, as auth/store.py reads them); a key counts while its item exists without
`revokedAt` (a rotated key keeps its id, so its old value in grace keeps the socket).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engage.apikeys.models import ApiKeyItem
from engage.auth.models import UserItem
from engage.core import keys, keys_chat
from engage.core.aws import client
from engage.core.settings import get_settings

BATCH_KEYS = 100
"""Keys one BatchGetItem may ask for (DynamoDB's limit)."""

MAX_ROUNDS = 5
"""BatchGetItem calls per chunk at most, when DynamoDB leaves keys unprocessed (throttling);
a key still unprocessed after them counts as not in good standing (its socket is closed and
reconnects: failing closed)."""

_ACTIVE = UserItem.active.attr_name
_REVOKED = ApiKeyItem.revoked_at.attr_name


@dataclass(frozen=True)
class Standing:
    """Of the asked ids: the members still active and the API keys not revoked."""

    members: frozenset[str]
    keys: frozenset[str]


def standing(tenant_id: str, member_ids: Iterable[str], key_ids: Iterable[str]) -> Standing:
    """The members of `member_ids` still active and the keys of `key_ids` not revoked, in the
    tenant `tenant_id`. One BatchGetItem per 100 distinct ids (none when both are empty)."""
    asked: dict[tuple[str, str], tuple[str, str]] = {}
    for member_id in set(member_ids):
        asked[keys.user_key(tenant_id, member_id)] = ("member", member_id)
    for key_id in set(key_ids):
        asked[keys_chat.api_key_key(tenant_id, key_id)] = ("key", key_id)
    found: set[tuple[str, str]] = set()
    pairs = list(asked)
    for start in range(0, len(pairs), BATCH_KEYS):
        for item in _batch_get(pairs[start : start + BATCH_KEYS]):
            pair = asked.get((item["PK"]["S"], item["SK"]["S"]))
            if pair is not None and _in_good_standing(pair[0], item):
                found.add(pair)
    return Standing(
        members=frozenset(i for kind, i in found if kind == "member"),
        keys=frozenset(i for kind, i in found if kind == "key"),
    )


def _in_good_standing(kind: str, item: dict[str, Any]) -> bool:
    if kind == "member":
        return item.get(_ACTIVE, {}).get("BOOL") is not False
    return _REVOKED not in item or "NULL" in item[_REVOKED]


def _batch_get(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    table = get_settings().table_name
    request: dict[str, Any] = {
        table: {
            "Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in pairs],
            "ConsistentRead": True,
            "ProjectionExpression": "PK, SK, #a, #r",
            "ExpressionAttributeNames": {"#a": _ACTIVE, "#r": _REVOKED},
        }
    }
    items: list[dict[str, Any]] = []
    for _ in range(MAX_ROUNDS):
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        items.extend(answer.get("Responses", {}).get(table, []))
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            break
    return items
