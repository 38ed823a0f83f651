"""Message and send-batch storage for dispatch, the sender and receipts (DESIGN.md section 2).

Message items are written as plain DynamoDB items through the low-level client (BatchWriteItem,
25 a request), never as model instances: the sender writes one per recipient, once, with its
outcome (dispatch carries the text in the SQS message and writes none), so this path is the
pipeline's floor. The attribute names are
MessageItem's (`engage.campaigns.models`), which the shortener and receipts read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from botocore.exceptions import ClientError

from engage.campaigns.store import CCF, batch_put, ddb_client
from engage.core import keys
from engage.core.settings import get_settings


@dataclasses.dataclass
class Message:
    """One recipient's message item on one channel (`MessageItem`'s attributes); `key` is
    `(PK, SK)`. `phone` is where it goes: the E.164 number, or an e-mail's address (stored as
    `email`); `segments` are its credits (an SMS's segments, 1 for WhatsApp and e-mail)."""

    pk: str
    sk: str
    contact_id: str
    phone: str
    body: str
    segments: int
    token: str | None
    created_at: str
    status: str = "queued"
    provider: str | None = None
    provider_message_id: str | None = None
    error: str | None = None
    updated_at: str | None = None
    channel: str = "sms"
    values: dict[str, str | None] | None = None  # not stored (events.ChannelSendRow)
    fallback: bool = False  # not stored: sent only instead of the one before (FallbackSendRow)

    @property
    def key(self) -> tuple[str, str]:
        """`(PK, SK)`."""
        return self.pk, self.sk

    def item(self) -> dict[str, Any]:
        """The DynamoDB item (wire form), with its link (GSI1) and provider-id (GSI2) entries."""
        out: dict[str, Any] = {
            "PK": {"S": self.pk},
            "SK": {"S": self.sk},
            "contactId": {"S": self.contact_id},
            ("email" if self.channel == "email" else "phone"): {"S": self.phone},
            "body": {"S": self.body},
            "segments": {"N": str(self.segments)},
            "status": {"S": self.status},
            "createdAt": {"S": self.created_at},
        }
        if self.channel != "sms":
            out["channel"] = {"S": self.channel}
        if self.token:
            out["token"] = {"S": self.token}
            out["GSI1PK"], out["GSI1SK"] = {"S": keys.link_index_pk(self.token)}, {"S": "LINK"}
        for name, value in (
            ("provider", self.provider),
            ("providerMessageId", self.provider_message_id),
            ("error", self.error),
            ("updatedAt", self.updated_at),
        ):
            if value is not None:
                out[name] = {"S": value}
        if self.status == "sent" and self.provider and self.provider_message_id:
            pk = keys.provider_index_pk(self.provider, self.provider_message_id)
            out["GSI2PK"], out["GSI2SK"] = {"S": pk}, {"S": "MSG"}
        return out


def put_messages(messages: list[Message]) -> None:
    """Write the messages as they are (BatchWriteItem, 25 a request)."""
    batch_put([m.item() for m in messages])


def _batch_get(
    item_keys: list[tuple[str, str]], projection: str, names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """BatchGetItem (100 a request, unprocessed keys retried), strongly consistent."""
    table = get_settings().table_name
    ddb = ddb_client()
    out: list[dict[str, Any]] = []
    for i in range(0, len(item_keys), 100):
        request: dict[str, Any] = {
            "Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in item_keys[i : i + 100]],
            "ProjectionExpression": projection,
            "ConsistentRead": True,
        }
        if names:
            request["ExpressionAttributeNames"] = names
        pending: dict[str, Any] = {table: request}
        while pending:
            got = ddb.batch_get_item(RequestItems=pending)
            out += got["Responses"].get(table, [])
            pending = got.get("UnprocessedKeys") or {}
    return out


def message_states(item_keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, int]]:
    """`{(PK, SK): (status, segments)}` of the messages that exist."""
    rows = _batch_get(item_keys, "PK, SK, #s, #n", {"#s": "status", "#n": "segments"})
    return {(r["PK"]["S"], r["SK"]["S"]): (r["status"]["S"], int(r["segments"]["N"])) for r in rows}


# --- send-batch claims -------------------------------------------------------------------------


def claims_that_exist(item_keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the claim items exist."""
    return {(r["PK"]["S"], r["SK"]["S"]) for r in _batch_get(item_keys, "PK, SK")}


def put_claims(claims: list[tuple[tuple[str, str], int]]) -> None:
    """Write `queued` claim items `((PK, SK), size)`."""
    batch_put(
        [
            {"PK": {"S": pk}, "SK": {"S": sk}, "status": {"S": "queued"}, "size": {"N": str(n)}}
            for (pk, sk), n in claims
        ]
    )


def claim(key: tuple[str, str], now: str, lease_before: str) -> str | None:
    """Claim a send batch with one conditional update: `"fresh"` (it was queued),
    `"takeover"` (it was claimed before `lease_before`, so its holder died) or None (held by a
    live sender, or done)."""
    try:
        got = ddb_client().update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
            UpdateExpression="SET #s = :claimed, claimedAt = :now",
            ConditionExpression="#s = :queued OR (#s = :claimed AND claimedAt < :lease)",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":claimed": {"S": "claimed"},
                ":queued": {"S": "queued"},
                ":now": {"S": now},
                ":lease": {"S": lease_before},
            },
            ReturnValues="ALL_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return None
        raise
    return "fresh" if got["Attributes"]["status"]["S"] == "queued" else "takeover"


LAPSED_CLAIM = "1970-01-01T00:00:00.000Z"
"""The `claimedAt` of a taken-over claim given back: the next delivery takes it over at once."""


def give_back(key: tuple[str, str], claimed_at: str, fresh: bool) -> None:
    """Undo a claim taken at `claimed_at` that sent nothing: a fresh claim goes back to
    `queued`; a takeover stays `claimed` with a lapsed claim time, so the next delivery takes
    it over (and resumes) at once. Nothing when another sender has it by now."""
    if fresh:
        _while_claimed(key, claimed_at, "SET #s = :queued REMOVE claimedAt", {":queued": "queued"})
    else:
        _while_claimed(key, claimed_at, "SET claimedAt = :lapsed", {":lapsed": LAPSED_CLAIM})


def mark_done(key: tuple[str, str], claimed_at: str) -> bool:
    """`claimed -> done`, only while the claim taken at `claimed_at` stands (False if another
    sender took the batch over)."""
    return _while_claimed(key, claimed_at, "SET #s = :done", {":done": "done"})


def _while_claimed(
    key: tuple[str, str], claimed_at: str, update: str, values: dict[str, str]
) -> bool:
    """Apply `update` (string `values`) to a send-batch claim only while the claim taken at
    `claimed_at` stands; False when it does not."""
    wire = {name: {"S": value} for name, value in values.items()}
    try:
        ddb_client().update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
            UpdateExpression=update,
            ConditionExpression="#s = :claimed AND claimedAt = :mine",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=wire
            | {":claimed": {"S": "claimed"}, ":mine": {"S": claimed_at}},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return False
        raise
    return True


# --- receipts ----------------------------------------------------------------------------------


def find_by_provider_id(provider: str, provider_message_id: str) -> tuple[str, str] | None:
    """The message key of a provider message id (GSI2), or None."""
    got = ddb_client().query(
        TableName=get_settings().table_name,
        IndexName="GSI2",
        KeyConditionExpression="GSI2PK = :pk",
        ExpressionAttributeValues={
            ":pk": {"S": keys.provider_index_pk(provider, provider_message_id)}
        },
        Limit=1,
    )
    items = got.get("Items") or []
    return (items[0]["PK"]["S"], items[0]["SK"]["S"]) if items else None


def settle_message(
    key: tuple[str, str], status: str, provider_message_id: str, error: str | None, now: str
) -> bool:
    """`sent -> status` if the message is sent with that provider id (False otherwise)."""
    update = "SET #s = :to, updatedAt = :now" + (", #e = :err" if error else "")
    values = {
        ":to": {"S": status},
        ":now": {"S": now},
        ":sent": {"S": "sent"},
        ":pid": {"S": provider_message_id},
    }
    names = {"#s": "status"}
    if error:
        values[":err"], names["#e"] = {"S": error}, "error"
    try:
        ddb_client().update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
            UpdateExpression=update,
            ConditionExpression="#s = :sent AND providerMessageId = :pid",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return False
        raise
    return True


def settle_read(key: tuple[str, str], provider_message_id: str, now: str) -> str | None:
    """`sent | delivered -> read` (a WhatsApp read receipt) if the message has that provider
    id; returns the status it had (`sent`: it was never reported delivered), None when the
    move does not apply."""
    try:
        got = ddb_client().update_item(
            TableName=get_settings().table_name,
            Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
            UpdateExpression="SET #s = :read, updatedAt = :now",
            ConditionExpression="#s IN (:sent, :delivered) AND providerMessageId = :pid",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":read": {"S": "read"},
                ":now": {"S": now},
                ":sent": {"S": "sent"},
                ":delivered": {"S": "delivered"},
                ":pid": {"S": provider_message_id},
            },
            ReturnValues="UPDATED_OLD",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == CCF:
            return None
        raise
    return str(got["Attributes"]["status"]["S"])


def message_status(key: tuple[str, str]) -> str | None:
    """The stored status of a message, or None when it does not exist."""
    got = ddb_client().get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": key[0]}, "SK": {"S": key[1]}},
        ProjectionExpression="#s",
        ExpressionAttributeNames={"#s": "status"},
        ConsistentRead=True,
    )
    item = got.get("Item")
    return item["status"]["S"] if item else None
