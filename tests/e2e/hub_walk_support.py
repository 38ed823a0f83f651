"""The people of the hub walk (tests/e2e/test_hub_walk.py), over HTTP against the local runtime:
a tenant's owner, an invited member, an end user of the tenant's chat app, and a phone that
writes by SMS or WhatsApp through the runtime's `/_local` simulators. Every response any of
them gets is checked to be no 500 (issue 11: "no 500")."""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import websockets
import websockets.exceptions

PASSWORD = "correct horse battery"
Frames = list[dict[str, Any]]
T = TypeVar("T")


def _no_500(response: httpx.Response) -> None:
    assert response.status_code < 500, (
        f"{response.request.method} {response.request.url.path} gave {response.status_code}"
    )


def client(base_url: str, headers: dict[str, str] | None = None) -> httpx.Client:
    """An HTTP client of the runtime that fails the test on any 5xx answer."""
    return httpx.Client(
        base_url=base_url, headers=headers, timeout=60, event_hooks={"response": [_no_500]}
    )


def email() -> str:
    return f"{uuid.uuid4().hex[:10]}@hub.test"


_PHONES: set[str] = set()


def phone() -> str:
    """A fresh US number (E.164), never given twice in a run: an inbound message from a number
    reaches every tenant that knows it. It ends in 0-5, which the sandbox voice provider
    answers as a person (engage/channels/voice_sandbox.py)."""
    while True:
        number = f"+1415555{random.randrange(1000):03d}{random.randrange(6)}"
        if number not in _PHONES:
            _PHONES.add(number)
            return number


def until(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float = 60) -> T:
    """`fetch()` again until `done` holds of its result or `timeout` seconds passed; the last
    result either way (consumers on the event bus answer within seconds locally)."""
    deadline = time.monotonic() + timeout
    while True:
        got = fetch()
        if done(got) or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def ws_url(base_url: str, query: dict[str, str]) -> str:
    return base_url.replace("http://", "ws://") + "/v1/realtime?" + urlencode(query)


class Owner:
    """A freshly registered tenant's owner (its first member)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = client(base_url)
        resp = self.http.post(
            "/auth/register",
            json={"email": email(), "password": PASSWORD, "tenantName": "Hub Walk"},
        )
        assert resp.status_code == 201, resp.text
        self.token = str(resp.json()["access_token"])
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        me = self.http.get("/auth/me").json()["data"]
        self.tenant_id = str(me["tenant"]["id"])
        self.id = str(me["user"]["id"])
        self._key: str | None = None

    @property
    def key(self) -> str:
        """The tenant's publishable key (made on first use)."""
        if self._key is None:
            resp = self.http.post("/admin/api-keys", json={"name": "web", "kind": "publishable"})
            assert resp.status_code == 201, resp.text
            self._key = str(resp.json()["key"])
        return self._key

    def invite(self, role: str) -> Member:
        """Invite a member by e-mail, read the link in the local outbox and accept it."""
        address = email()
        resp = self.http.post("/admin/team/invitations", json={"email": address, "role": role})
        assert resp.status_code == 201, resp.text
        outbox = self.http.get("/_local/outbox.json", params={"tenant": self.tenant_id}).json()
        text = next(e["text"] for e in outbox["emails"] if e["to"] == address)
        token = re.search(r"token=(\S+)", text)
        assert token is not None, text
        return Member(self.base_url, token.group(1))

    def contact(self, first: str, last: str, **fields: Any) -> dict[str, Any]:
        """A contact with a fresh phone (seed 004 `POST /contacts`), e.g. smsConsent="opted_in"."""
        body = {"phone": phone(), "firstName": first, "lastName": last, **fields}
        resp = self.http.post("/contacts", json=body)
        assert resp.status_code == 201, resp.text
        return dict(resp.json()["data"])

    def end_user(self, user_id: str) -> EndUser:
        return EndUser(self.base_url, self.key, user_id)

    def active(self) -> list[dict[str, Any]]:
        resp = self.http.get("/sessions/active")
        assert resp.status_code == 200, resp.text
        return list(resp.json()["sessions"])

    def messages(self, session_id: str) -> list[dict[str, Any]]:
        resp = self.http.get(f"/messages/{session_id}")
        assert resp.status_code == 200, resp.text
        return list(resp.json()["messages"])

    def outbox(self) -> list[dict[str, Any]]:
        """The SMS / WhatsApp messages the sandbox providers sent for this tenant."""
        box = self.http.get("/_local/outbox.json", params={"tenant": self.tenant_id}).json()
        return list(box["messages"])

    def sms_from(self, number: str, body: str) -> None:
        resp = self.http.post("/_local/sms/reply", json={"from": number, "body": body})
        assert resp.status_code == 200, resp.text

    def whatsapp_from(self, number: str, body: str) -> None:
        resp = self.http.post("/_local/whatsapp/reply", json={"from": number, "body": body})
        assert resp.status_code == 200, resp.text


class Member:
    """A team member signed in by accepting an invitation."""

    def __init__(self, base_url: str, invitation_token: str) -> None:
        self.http = client(base_url)
        resp = self.http.post(
            f"/auth/invitations/{invitation_token}/accept",
            json={"password": PASSWORD, "name": "Sam Agent"},
        )
        assert resp.status_code == 200, resp.text
        self.token = str(resp.json()["access_token"])
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.id = str(self.http.get("/auth/me").json()["data"]["user"]["id"])


class EndUser:
    """An end user of the tenant's chat app: its publishable key and the tenant's id for them."""

    def __init__(self, base_url: str, key: str, user_id: str) -> None:
        self.http = client(base_url, {"X-API-Key": key, "X-User-Id": user_id})
        self.query = {"api_key": key, "user_id": user_id}

    def identify(self, **fields: Any) -> dict[str, Any]:
        resp = self.http.post("/v1/users/identify", json=fields)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def open_conversation(self, content: str) -> str:
        resp = self.http.post("/v1/conversations", json={"message": {"content": content}})
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        resp = self.http.get(f"/v1/conversations/{conversation_id}/messages")
        assert resp.status_code == 200, resp.text
        return list(resp.json()["data"])


class SocketWatch:
    """A member's socket held open in a background thread, collecting frames until one
    matches `done` or `timeout` seconds pass (so a test can do other things meanwhile)."""

    def __init__(
        self, url: str, done: Callable[[dict[str, Any]], bool], timeout: float = 180
    ) -> None:
        self.frames: Frames = []
        self.opened = threading.Event()
        self._done, self._timeout = done, timeout
        self._thread = threading.Thread(target=asyncio.run, args=(self._watch(url),), daemon=True)
        self._thread.start()
        assert self.opened.wait(30), "the socket did not open"

    async def _watch(self, url: str) -> None:
        try:
            async with asyncio.timeout(self._timeout), websockets.connect(url) as ws:
                self.opened.set()
                while True:
                    frame = json.loads(await ws.recv())
                    self.frames.append(frame)
                    if self._done(frame):
                        return
        except (TimeoutError, websockets.exceptions.ConnectionClosed):
            self.opened.set()

    def result(self, timeout: float) -> Frames:
        """The frames so far, after waiting up to `timeout` seconds for the match."""
        self._thread.join(timeout)
        return list(self.frames)
