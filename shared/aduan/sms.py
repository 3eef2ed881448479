"""SMS: what a text from a citizen means, and the gateway's webhook format (Twilio-compatible).

The parser is pure; the gateway module part knows Twilio's form fields and signature, so that a
second gateway format can be added beside it without touching intake.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl

MIN_REPORT_LENGTH = 30  # as the web form's description: shorter texts get a helpful answer


@dataclass(frozen=True)
class Check:
    """`CEK <id>` / `STATUS <id>`: the citizen asks where a report stands (no ID: their latest)."""

    tracking_id: str | None


@dataclass(frozen=True)
class Reply:
    """`BALAS <id> <text>`: the citizen answers on a report."""

    tracking_id: str
    text: str


@dataclass(frozen=True)
class Report:
    """Any other text long enough: a new report."""

    text: str


@dataclass(frozen=True)
class Help:
    """Too short to be a report, or a command without what it needs."""

    reason: Literal["too_short", "reply_without_text"]


Command = Check | Reply | Report | Help

_COMMAND = re.compile(r"^\W*(cek|status|balas)\b[\s:.,#-]*(.*)$", re.IGNORECASE | re.DOTALL)
_ID = re.compile(r"^([A-Za-z0-9]{5}[\s.-]?[A-Za-z0-9]{5})\b[\s:.,-]*(.*)$", re.DOTALL)


def parse(text: str) -> Command:
    """Read a citizen's SMS: case-insensitive, tolerant of extra spaces and punctuation."""
    body = " ".join(text.split())
    found = _COMMAND.match(body)
    if found is None:
        return Report(body) if len(body) >= MIN_REPORT_LENGTH else Help("too_short")
    verb, rest = found.group(1).lower(), found.group(2).strip()
    identified = _ID.match(rest)
    tracking_id = identified.group(1) if identified else None
    if verb in ("cek", "status"):
        if tracking_id is None and len(rest.split()) > 3 and len(body) >= MIN_REPORT_LENGTH:
            return Report(body)  # "Status jalan di desa kami rusak parah ...": a report, not a command
        return Check(tracking_id)
    reply = identified.group(2).strip() if identified else ""
    if tracking_id is None or not reply:
        return Help("reply_without_text")
    return Reply(tracking_id, reply)


def title_from(text: str, limit: int = 80) -> str:
    """A report's title from the first words of an SMS, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


# -- the gateway's format: Twilio-compatible webhooks ---------------------------------------------


@dataclass(frozen=True)
class InboundSms:
    sender: str
    to: str
    body: str
    message_id: str


class InvalidSignature(Exception):
    """The webhook did not come from our gateway: answer 403 and store nothing."""


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Base64 HMAC-SHA1 of the full URL followed by each parameter's name and value, by name."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_inbound(url: str, form_body: str, signature: str | None, token: str) -> InboundSms:
    """The message in a Twilio webhook, after checking its signature (InvalidSignature if wrong)."""
    params = dict(parse_qsl(form_body, keep_blank_values=True))
    expected = twilio_signature(url, params, token)
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise InvalidSignature("the X-Twilio-Signature does not match")
    return InboundSms(
        sender=params.get("From", ""),
        to=params.get("To", ""),
        body=params.get("Body", ""),
        message_id=params.get("MessageSid", ""),
    )


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
