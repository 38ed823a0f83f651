"""The house rules of STYLE.md that a reader can check mechanically (issue 8, "How it will be
judged: the house"): AWS is reached only from stores and ports, no library module grows past
~400 lines, the library has no import circle, and keys are never parsed with `split("#")`."""

from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "layers" / "engage" / "engage"

# Modules allowed to talk to AWS: stores, and the small ports named in STYLE.md rule 1.
PORTS = {
    "core/aws.py",  # the client factory itself
    "core/tokens.py",  # the JWT key from Secrets Manager
    "core/idempotency.py",  # Powertools' DynamoDB persistence layer
    "core/ratelimit_store.py",
    "campaigns/ports.py",
    "campaigns/schedules.py",
    "contacts/import_port.py",
    "events/bus.py",  # PutEvents on the EventBridge bus
    "realtime/push.py",  # API Gateway @connections
    "channels/twilio_sms.py",  # Twilio's auth token from Secrets Manager
    "channels/email_ses.py",  # SES v2 SendEmail
    "channels/chime_video.py",  # Amazon Chime SDK Meetings
    "channels/voice_sandbox_queue.py",
    "system/probes.py",
    "integrations/probes.py",  # provider checks: Twilio, SES, Chime, the table
    "integrations/secrets_port.py",  # tenant channel credentials in Secrets Manager
    "voice/executions.py",
    "voice/tokens.py",
}
AWS_MODULES = ("boto3", "botocore", "pynamodb", "engage.core.aws")
MAX_LINES = 400


def _modules() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(LIB)): ast.parse(path.read_text(), str(path))
        for path in sorted(LIB.rglob("*.py"))
    }


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def _is_store(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name in ("store.py", "models.py") or name.endswith("_store.py") or rel == "core/db.py"


def test_only_stores_and_ports_import_aws_clients_or_pynamodb() -> None:
    offenders = []
    for rel, tree in _modules().items():
        if _is_store(rel) or rel in PORTS:
            continue
        used = {
            n for n in _imports(tree) if n.startswith(AWS_MODULES) and n != "botocore.exceptions"
        }
        if used:
            offenders.append(f"{rel}: {sorted(used)}")
    assert not offenders, "AWS reached outside a store or port:\n" + "\n".join(offenders)


def test_no_library_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(LIB)): n
        for p in LIB.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"split these by job (STYLE.md): {long}"


def test_keys_are_not_parsed_with_split_outside_core_keys() -> None:
    offenders = []
    for rel, tree in _modules().items():
        if rel == "core/keys.py":
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("split", "rsplit", "partition", "rpartition")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "#"
            ):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"parse keys in core/keys.py: {offenders}"


def test_the_library_has_no_import_circle_at_import_time() -> None:
    # Module-level imports only (imports inside functions are deliberate lazy loads).
    graph: dict[str, set[str]] = {}
    trees = _modules()
    names = {"engage." + rel[:-3].replace("/", ".").removesuffix(".__init__"): rel for rel in trees}
    for module, rel in names.items():
        deps: set[str] = set()
        for node in trees[rel].body:
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                candidates = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [a.name for a in node.names]
            else:
                continue
            deps |= {c for c in candidates if c in names and c != module}
        graph[module] = deps

    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)
