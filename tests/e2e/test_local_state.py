"""The local runtime a developer lives in: data survives a restart, `--reset` starts empty,
and the terminal shows one line per request."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Runtime

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def _register(url: str) -> tuple[str, dict[str, Any]]:
    email = f"{uuid.uuid4().hex[:10]}@shop.test"
    resp = httpx.post(
        f"{url}/auth/register",
        json={"email": email, "password": PASSWORD, "tenantName": "Restart Shop"},
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    return email, resp.json()


def _wait_for(http: httpx.Client, path: str, done: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        data = http.get(path).json()["data"]
        if done(data):
            return data
        assert time.monotonic() < deadline, f"timed out waiting on {path}: {data}"
        time.sleep(0.5)


def test_tenants_contacts_and_campaigns_survive_a_restart(fresh_runtime: Runtime) -> None:
    # Given a tenant with a contact and a campaign that was sent
    url = fresh_runtime.start()
    email, tokens = _register(url)
    http = httpx.Client(
        base_url=url, timeout=60, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    contact = http.post("/contacts", json={"phone": "+14155550123", "smsConsent": "opted_in"})
    assert contact.status_code == 201, contact.text
    campaign = http.post(
        "/campaigns", json={"name": "Before restart", "message": "Hello!", "audience": "all"}
    ).json()["data"]
    assert http.post(f"/campaigns/{campaign['id']}/enqueue").status_code == 200
    _wait_for(
        http,
        f"/campaigns/{campaign['id']}",
        lambda c: c["status"] == "sent" and c["deliveredCount"] == 1,
    )
    http.close()

    # When the developer presses Ctrl-C and starts it again on the same state directory
    assert fresh_runtime.stop() == 0
    url = fresh_runtime.start()

    # Then the old access token still works and everything is there, in its state
    http = httpx.Client(
        base_url=url, timeout=60, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    contacts = http.get("/contacts").json()["data"]["contacts"]
    assert [c["phoneE164"] for c in contacts] == ["+14155550123"]
    after = http.get(f"/campaigns/{campaign['id']}").json()["data"]
    assert (after["name"], after["status"]) == ("Before restart", "sent")
    assert after["deliveredCount"] == 1
    assert http.get("/dashboard").json()["data"]["credits"] == 5000 - 1
    outbox = httpx.get(f"{url}/_local/outbox.json", params={"campaign": campaign["id"]}).json()
    assert [m["to"] for m in outbox["messages"]] == ["+14155550123"]
    # and the same credentials log in, and the old refresh token still refreshes
    login = httpx.post(f"{url}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    refreshed = httpx.post(f"{url}/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text


def test_reset_starts_empty(fresh_runtime: Runtime) -> None:
    # Given a runtime that kept a tenant
    url = fresh_runtime.start()
    email, tokens = _register(url)
    assert fresh_runtime.stop() == 0

    # When it is started with --reset
    url = fresh_runtime.start("--reset")

    # Then nothing of before is there: the token is refused, the login unknown
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert httpx.get(f"{url}/contacts", headers=auth).status_code == 401
    login = httpx.post(f"{url}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 401
    assert httpx.get(f"{url}/_local/outbox.json").json()["counts"]["messages"]["held"] == 0


def test_each_request_is_one_line_in_the_terminal(session_runtime: Runtime) -> None:
    # Given a request with a token and a search term in its query string
    _, tokens = _register(session_runtime.url)
    resp = httpx.get(
        f"{session_runtime.url}/contacts",
        params={"search": "+14155550199"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    rid = resp.headers["X-Request-Id"]

    # Then the terminal shows method, path, status, milliseconds and request id, and nothing
    # of the query string or the token
    deadline = time.monotonic() + 10
    while rid not in session_runtime.log.read_text():
        assert time.monotonic() < deadline, "no log line for the request"
        time.sleep(0.2)
    line = next(x for x in session_runtime.log.read_text().splitlines() if rid in x)
    assert re.fullmatch(rf"\d\d:\d\d:\d\d GET /contacts 200 \d+ms req={rid}", line), line
    log = session_runtime.log.read_text()
    assert "4155550199" not in log and tokens["access_token"] not in log
