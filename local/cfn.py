"""Reads template.yaml for the local runtime and the tests, so the template stays the one
source of truth for tables, queues, buckets, state machines, schedules, functions and their
environment. Understands the intrinsic functions the template uses: Ref, Fn::GetAtt, Fn::Sub,
Fn::If, Fn::Not, Fn::Equals."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
ACCOUNT = "123456789012"
REGION = "us-east-1"


class _Loader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """template.yaml as a dict, CloudFormation short tags turned into their long form."""
    with path.open() as fh:
        return yaml.load(fh, Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def table_definitions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """CreateTable arguments (without TableName) per AWS::DynamoDB::Table logical id."""
    template = template or load_template()
    out = {}
    for logical, res in template["Resources"].items():
        if res["Type"] != "AWS::DynamoDB::Table":
            continue
        props = res["Properties"]
        args: dict[str, Any] = {
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            args["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            view = props["StreamSpecification"]["StreamViewType"]
            args["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        out[logical] = args
    return out


class Resolver:
    """Evaluates intrinsic functions against known physical ids and attributes."""

    def __init__(self, template: dict[str, Any], stack: str, parameters: dict[str, str]) -> None:
        self.template = template
        self.stack = stack
        self.params = {
            name: str(parameters.get(name, spec.get("Default", "")))
            for name, spec in template.get("Parameters", {}).items()
        }
        self.refs: dict[str, str] = {}
        self.attrs: dict[tuple[str, str], str] = {}
        self.pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::StackName": stack,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }

    def condition(self, name: str) -> bool:
        """Evaluate a named condition."""
        return bool(self.value(self.template["Conditions"][name]))

    def value(self, node: Any) -> Any:
        """Resolve `node` recursively."""
        if isinstance(node, list):
            return [v for v in (self.value(n) for n in node) if v is not None]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                return self.attrs[(arg[0], arg[1])]
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                return self.value(arg[1] if self.condition(arg[0]) else arg[2])
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::Equals":
                return str(self.value(arg[0])) == str(self.value(arg[1]))
        return {k: self.value(v) for k, v in node.items()}

    def _ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.params:
            return self.params[name]
        return self.refs[name]

    def _sub(self, arg: Any) -> str:
        text = arg if isinstance(arg, str) else arg[0]

        def repl(m: re.Match[str]) -> str:
            token = m.group(1)
            if "." in token and not token.startswith("AWS::"):
                logical, attr = token.split(".", 1)
                return str(self.attrs[(logical, attr)])
            return str(self._ref(token))

        return re.sub(r"\$\{([^}]+)\}", repl, text)


def create_core_resources(prefix: str) -> None:
    """Create, from the environment's names (TABLE_NAME, IDEMPOTENCY_TABLE_NAME,
    IMPORT_BUCKET, EVENT_BUS_NAME), the template's tables, the bucket, the work queues and the
    event bus, and set SEND_/RECEIPTS_/IMPORT_/VOICE_SANDBOX_QUEUE_URL. For tests and
    benchmarks on moto; the local runtime provisions everything of the template instead."""
    import os

    import boto3

    ddb = boto3.client("dynamodb")
    names = {
        "EngageTable": os.environ["TABLE_NAME"],
        "IdempotencyTable": os.environ["IDEMPOTENCY_TABLE_NAME"],
    }
    for logical, args in table_definitions().items():
        ddb.create_table(TableName=names[logical], **args)
    sqs = boto3.client("sqs")
    for env, name in (
        ("SEND_QUEUE_URL", "send"),
        ("RECEIPTS_QUEUE_URL", "receipts"),
        ("IMPORT_QUEUE_URL", "import"),
        ("VOICE_SANDBOX_QUEUE_URL", "voice-sandbox"),
    ):
        os.environ[env] = sqs.create_queue(QueueName=f"{prefix}-{name}")["QueueUrl"]
    boto3.client("s3").create_bucket(Bucket=os.environ["IMPORT_BUCKET"])
    if os.environ.get("EVENT_BUS_NAME"):
        boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
