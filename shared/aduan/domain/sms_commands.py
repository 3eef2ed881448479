"""What a citizen's text means: a report, `CEK <id>`, `BALAS <id> <text>`, or a call for help.

Pure and tolerant; the same commands will read WhatsApp texts. The gateway's webhook format is in
`aduan.doors.twilio`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

MIN_REPORT_LENGTH = 30  # as the web form's description: shorter texts get a helpful answer


@dataclass(frozen=True)
class InboundSms:
    """A text as the gateway delivered it (the gateway's format is read in `aduan.doors.twilio`)."""

    sender: str
    to: str
    body: str
    message_id: str


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
