"""Cold start (STYLE.md rule 7, issue 8 section 6): a worker's `import app` loads neither
FastAPI nor Mangum, and the benchmarks that report it read the template right."""

from __future__ import annotations

import json

import pytest

from bench.cold_start import loaded_modules, targets
from bench.cost import item_size, transitions
from local.cfn import ROOT, load_template

TARGETS = targets()
WORKERS = [t for t in TARGETS if t.kind == "worker"]


def test_every_function_of_the_template_is_timed_with_its_kind():
    # Given the template's functions
    functions = {
        logical_id: res["Properties"]
        for logical_id, res in load_template()["Resources"].items()
        if res["Type"] == "AWS::Serverless::Function"
    }
    # When the cold-start bench lists what it imports
    listed = {t.name: t for t in TARGETS if t.kind != "floor"}
    # Then it times each one, an API group when API Gateway invokes it, a worker otherwise
    assert set(listed) == set(functions)
    assert listed["SenderFunction"].kind == "worker"
    assert listed["WebhooksFunction"].kind == "API group"
    assert all(t.directory.joinpath(f"{t.module}.py").is_file() for t in listed.values())
    # and in the environment a deployed function has (tracing on, as Tracing: Active makes it)
    sender = listed["SenderFunction"].env
    assert sender["AWS_LAMBDA_FUNCTION_NAME"] and "POWERTOOLS_TRACE_DISABLED" not in sender
    assert "AWS_ENDPOINT_URL" not in sender


@pytest.mark.parametrize("worker", WORKERS, ids=[t.name for t in WORKERS])
def test_a_worker_imports_neither_fastapi_nor_mangum(worker):
    # When the worker's handler module is imported in a fresh interpreter, as Lambda does
    modules = loaded_modules(worker)
    # Then the web framework stayed out of its cold start
    assert "engage" in modules
    assert "fastapi" not in modules
    assert "starlette" not in modules
    assert "mangum" not in modules


def test_an_api_group_still_gets_its_handler():
    # Given an API group, imported the same way
    system = next(t for t in TARGETS if t.name == "SystemFunction")
    # Then FastAPI and Mangum are loaded for it (Mangum by http_handler)
    assert {"fastapi", "mangum"} <= loaded_modules(system)


def test_item_sizes_follow_dynamodbs_rules():
    # Names and strings count their UTF-8 bytes; numbers about one byte per two digits + 1
    assert item_size({"PK": {"S": "T#1"}}) == 2 + 3
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"ok": {"BOOL": True}}) == 2 + 1
    # lists and maps: 3 bytes plus 1 per element
    assert item_size({"m": {"M": {"a": {"S": "x"}}}}) == 1 + 3 + 1 + 1 + 1


def test_state_transitions_come_from_the_state_machine_definition():
    # Given the dispatch state machine: Prepare -> Route -> (ResolvePage -> Route)* ->
    # Finalize -> Done
    definition = json.loads((ROOT / "statemachines/campaign_dispatch.asl.json").read_text())
    # When a campaign ran prepare once, two pages and finalize once
    # Then each task and the state it leads to were one transition each
    assert transitions(definition, {"prepare": 1, "page": 2, "finalize": 1}) == 8
