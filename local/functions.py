"""The template's functions, loaded from functions/<dir>/app.py (runtime and tests share it)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from local.cfn import ACCOUNT, REGION, ROOT, load_template


@dataclass
class FakeContext:
    """The parts of the Lambda context object that Powertools and Mangum read."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: __import__("uuid").uuid4().hex)
    log_stream_name: str = "local"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@dataclass
class LocalFunction:
    """One AWS::Serverless::Function of template.yaml."""

    logical_id: str
    name: str
    path: Path
    properties: dict[str, Any]
    module: ModuleType | None = None

    @property
    def is_http(self) -> bool:
        """Whether the function serves HTTP routes: API Gateway events or a function URL."""
        events = (self.properties.get("Events") or {}).values()
        return "FunctionUrlConfig" in self.properties or any(e["Type"] == "Api" for e in events)

    def load(self) -> ModuleType:
        """Import functions/<dir>/app.py once."""
        if self.module is None:
            spec = importlib.util.spec_from_file_location(
                f"engage_fn_{self.path.parent.name}", self.path
            )
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            self.module = module
        return self.module

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the Lambda handler as Lambda would."""
        return self.load().handler(event, FakeContext(self.name))


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The Lambda event AWS builds from ReceiveMessage results (SQS event source mapping)."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def template_functions(stack: str = "engage-local") -> dict[str, LocalFunction]:
    """Every function of the template, not yet imported."""
    template = load_template()
    out = {}
    for logical, res in template["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        path = ROOT / props["CodeUri"] / (props["Handler"].split(".")[0] + ".py")
        out[logical] = LocalFunction(logical, f"{stack}-{logical}", path, props)
    return out


def build_http_app(
    functions: dict[str, LocalFunction], extra_routers: list[Any] | None = None
) -> Any:
    """One FastAPI app with every endpoint group's routes (each group's app.py has `router`).

    Its `/docs` (Swagger UI) and `/redoc` pages show every group in one document and load
    their assets from the app itself (`/docs/assets`), so they work with no internet."""
    from engage.core.http import create_app

    routers = [fn.load().router for fn in functions.values() if fn.is_http]
    app = create_app("(all groups)", [*routers, *(extra_routers or [])])
    app.description = (
        "All endpoint groups of Engage on one port. To try a protected route: "
        "`POST /auth/register` (or `/auth/login`), copy `access_token`, press **Authorize** "
        "and paste it (no `Bearer ` prefix); the page keeps it across reloads. Every error is "
        '`{"success": false, "error", "message", "details"}`.'
    )
    return app
