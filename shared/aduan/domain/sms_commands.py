"""What a citizen's text means: a report (which may open with a privacy keyword), `CEK <id>`,
`BALAS <id> <text>`, `RAHASIA <id>` / `ANONIM <id>`, or a call for help.

Pure and tolerant; the same commands read WhatsApp texts. The gateways' webhook formats are in
`aduan.doors.twilio` and `aduan.doors.whatsapp`; the privacy keywords and levels are in
`aduan.domain.privacy`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from aduan.domain import privacy
from aduan.domain.models import Channel, Location, Privacy
from aduan.domain.tracking import problem

MIN_REPORT_LENGTH = 30  # as the web form's description: shorter texts get a helpful answer


@dataclass(frozen=True)
class InboundText:
    """A text as a gateway delivered it: by SMS (`aduan.doors.twilio`), `sender` is the number; by
    WhatsApp (`aduan.doors.whatsapp`), the sender's WhatsApp ID, and `phone` the number when
    WhatsApp shows one. `message_id` is the gateway's ID of the text, never empty: each is acted
    on once."""

    sender: str
    to: str
    body: str
    message_id: str
    channel: Channel = Channel.SMS
    phone: str | None = None
    location: Location | None = None  # a report's place, where the channel gave one (a shared location)

    @property
    def reporter_lookup(self) -> str:
        """What finds the sender's complaints (`Reporter.lookup`): the number, when there is one."""
        if self.channel is Channel.SMS:
            return self.sender
        return self.phone or f"whatsapp:{self.sender}"


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
class PrivacyChange:
    """`RAHASIA <id>` / `ANONIM <id>` (no ID: their latest): the reporter asks for more privacy."""

    tracking_id: str | None
    privacy: Privacy


@dataclass(frozen=True)
class Report:
    """Any other text long enough: a new report, at the privacy its first word names (None: it
    names none, and the channel's default applies)."""

    text: str
    privacy: Privacy | None = None


@dataclass(frozen=True)
class Help:
    """Too short to be a report, or a command without what it needs."""

    reason: Literal["too_short", "reply_without_text"]


Command = Check | Reply | PrivacyChange | Report | Help

_COMMAND = re.compile(r"^\W*(cek|status|balas)\b[\s:.,#-]*(.*)$", re.IGNORECASE | re.DOTALL)
_ID = re.compile(r"^([A-Za-z0-9]{5}[\s.-]?[A-Za-z0-9]{5})\b[\s:.,-]*(.*)$", re.DOTALL)


def parse(text: str) -> Command:
    """Read a citizen's SMS: case-insensitive, tolerant of extra spaces and punctuation."""
    body = " ".join(text.split())
    found = _COMMAND.match(body)
    if found is None:
        return _report_or_privacy_change(body)
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


def reply_target(text: str) -> str | None:
    """The report a caption `BALAS <id> ...` names (a photo sent to a report), with or without words."""
    found = _COMMAND.match(" ".join(text.split()))
    if found is None or found.group(1).lower() != "balas":
        return None
    identified = _ID.match(found.group(2).strip())
    return identified.group(1) if identified else None


def _report_or_privacy_change(body: str) -> Command:
    """`RAHASIA <id>` (a change), `RAHASIA <report>` (a confidential report) or a plain report."""
    level, rest = privacy.keyword(body)
    if level is None:
        return Report(body) if len(body) >= MIN_REPORT_LENGTH else Help("too_short")
    if not any(character.isalnum() for character in rest):
        return PrivacyChange(None, level)  # the keyword alone: the sender's latest report
    identified = _ID.match(rest)
    # A report's first words can look like an ID ("warga resah ..."): what follows a keyword is an
    # ID when it is one, or one with a typo (which gets its hint) when too short to be a report.
    wrong = problem(identified.group(1)) if identified else "format"
    if identified and (wrong is None or (wrong == "check" and len(rest) < MIN_REPORT_LENGTH)):
        return PrivacyChange(identified.group(1), level)
    return Report(rest, level) if len(rest) >= MIN_REPORT_LENGTH else Help("too_short")


def title_from(text: str, limit: int = 80) -> str:
    """A report's title from the first words of an SMS, cut at a word boundary."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"
