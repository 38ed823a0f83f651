"""Reading an inbound e-mail (issue 10 "Inbound e-mail"): stdlib `email` with
`policy.default`, every failure of a hostile message turned into `Unreadable`, never a crash.

`parse` takes the raw RFC 5322 bytes (what SES stores in S3) and answers the sender, the
recipients (To, Cc, Delivered-To, X-Original-To), the subject, the text (the `text/plain`
part, else the `text/html` part with its tags dropped), its thread headers (Message-ID,
In-Reply-To, References) and whether it is an automatic reply (RFC 3834 `Auto-Submitted`).
`strip_quoted` cuts the quoted previous message off a reply, conservatively: at an
attribution line (`On ... wrote:`), an `-----Original Message-----` separator, or a trailing
block of `>` lines; when that would leave nothing, the text is kept whole.
"""

from __future__ import annotations

import email.errors
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

MAX_RAW_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 10_000  # a conversation message's limit (conversations/schemas.py)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,900})>")
_ATTRIBUTION = re.compile(
    r"^\s*(On\b.{0,400}\bwrote:|Le\b.{0,400}\ba écrit\s?:|Am\b.{0,400}\bschrieb.{0,80}:)\s*$", re.I
)
_SEPARATOR = re.compile(r"^\s*(-{2,}\s*Original Message\s*-{2,}|_{20,})\s*$", re.I)
_ERRORS = (
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    AttributeError,
    LookupError,
    UnicodeError,
    email.errors.MessageError,
)


class Unreadable(Exception):
    """The bytes are not an e-mail we can read (`reason` says why, never the content)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InboundMail:
    """An inbound e-mail as the channel uses it (see the module docstring)."""

    sender: str
    sender_name: str | None
    recipients: tuple[str, ...]
    subject: str
    text: str
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    automatic: bool

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The ids a reply names, the most direct first: In-Reply-To, then References from the
        newest (last) back."""
        return tuple(dict.fromkeys([*self.in_reply_to, *reversed(self.references)]))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "blockquote"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML body (tags, scripts and styles dropped)."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def message_ids(value: str | None) -> tuple[str, ...]:
    """The `<id>`s of a Message-ID / In-Reply-To / References value, in order."""
    return tuple(f"<{m}>" for m in _MESSAGE_ID.findall(value or ""))[:100]


def _addresses(msg: EmailMessage, *names: str) -> list[tuple[str, str]]:
    values = [str(v) for name in names for v in (msg.get_all(name) or [])]
    return [(n, a.strip()) for n, a in getaddresses(values) if "@" in a]


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_subtype() == "html" else content


def parse(raw: bytes) -> InboundMail:
    """Read `raw` (see the module docstring); raises Unreadable."""
    if len(raw) > MAX_RAW_BYTES:
        raise Unreadable("too large")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        senders = _addresses(msg, "From")
        if not senders:
            raise Unreadable("no sender")
        name, sender = senders[0]
        recipients = [a for _, a in _addresses(msg, "To", "Cc", "Delivered-To", "X-Original-To")]
        text = _body(msg).replace("\r\n", "\n")
        mail = InboundMail(
            sender=sender,
            sender_name=name.strip()[:100] or None,
            recipients=tuple(dict.fromkeys(recipients))[:50],
            subject=str(msg.get("Subject") or "").strip()[:998],
            text=text,
            message_id=next(iter(message_ids(str(msg.get("Message-ID") or ""))), None),
            in_reply_to=message_ids(str(msg.get("In-Reply-To") or "")),
            references=message_ids(str(msg.get("References") or "")),
            automatic=str(msg.get("Auto-Submitted") or "no").strip().lower() != "no",
        )
    except Unreadable:
        raise
    except _ERRORS as exc:
        raise Unreadable(type(exc).__name__) from None
    return mail


def strip_quoted(text: str) -> str:
    """`text` without the quoted message it replies to (see the module docstring)."""
    lines = text.split("\n")
    cut = len(lines)
    for i, line in enumerate(lines):
        joined = f"{line} {lines[i + 1]}" if i + 1 < len(lines) else line
        if _SEPARATOR.match(line) or _ATTRIBUTION.match(line):
            cut = i
            break
        if line.strip().startswith("On ") and _ATTRIBUTION.match(joined):  # wrapped in two
            cut = i
            break
    kept = lines[:cut]
    while kept and (kept[-1].lstrip().startswith(">") or not kept[-1].strip()):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()
