"""Who may see a report, as the citizen chose it: the keyword that chooses it at the start of a text
message, the level a message report gets when it names none, and the one change allowed later
(raise only, within a window). Every channel that reads texts (SMS now, WhatsApp and Open311 later)
uses these rules; docs/architecture.md ("Privacy by text message") gives the reasons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from aduan.domain.errors import PrivacyNotRaised
from aduan.domain.models import OPEN_STATUSES, Complaint, Privacy, Role, TimelineEvent

# A text that names no level: the agency never sees the sender's number (the officer a citizen
# reports may be the one who asked for the bribe), and whoever holds the tracking ID still reads it.
MESSAGE_DEFAULT = Privacy.ANONYMOUS

# The reporter may raise the level by text until an agency first acts on the report, or for this
# long after it was filed, whichever comes first.
RAISE_WINDOW = timedelta(hours=24)

KEYWORDS: dict[str, Privacy] = {
    "rahasia": Privacy.CONFIDENTIAL,
    "anonymous": Privacy.ANONYMOUS,
    "anonim": Privacy.ANONYMOUS,
    "anonym": Privacy.ANONYMOUS,
    "publik": Privacy.PUBLIC,
    "umum": Privacy.PUBLIC,
}
_KEYWORD = re.compile(
    r"^\W*(" + "|".join(sorted(KEYWORDS, key=len, reverse=True)) + r")\b[\s:.,#*!-]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_RANK = {Privacy.PUBLIC: 0, Privacy.ANONYMOUS: 1, Privacy.CONFIDENTIAL: 2}
# Whoever works a complaint for an agency: their first action ends the window.
_AGENCY_ROLES = frozenset({Role.OPERATOR, Role.COORDINATOR, Role.NATIONAL})


def keyword(text: str) -> tuple[Privacy | None, str]:
    """The level a text opens with (`RAHASIA ...`, `anonim: ...`, `Publik ...`; any case) and the
    rest of the text; (None, text) when it opens with none."""
    found = _KEYWORD.match(text)
    if found is None:
        return None, text
    return KEYWORDS[found.group(1).lower()], found.group(2).strip()


def is_higher(requested: Privacy, current: Privacy) -> bool:
    """Whether `requested` hides more than `current` (public < anonymous < confidential)."""
    return _RANK[requested] > _RANK[current]


def raise_window_end(complaint: Complaint, timeline: Sequence[TimelineEvent]) -> datetime:
    """When the reporter can no longer raise the level by text: 24 hours after filing, or the
    first action an agency, a coordinator or the national administrator took on it if sooner."""
    end = complaint.created_at + RAISE_WINDOW
    acted = [event.at for event in timeline if event.actor.role in _AGENCY_ROLES]
    return min([end, *acted])


def check_raise(
    complaint: Complaint, timeline: Sequence[TimelineEvent], requested: Privacy, now: datetime
) -> None:
    """PrivacyNotRaised unless `requested` raises the level of an open complaint within its window:
    `not_higher` (the level is already that or more: it is never lowered this way) or
    `window_closed`."""
    if not is_higher(requested, complaint.privacy):
        raise PrivacyNotRaised("privacy is only ever raised", reason="not_higher")
    if complaint.status not in OPEN_STATUSES or now >= raise_window_end(complaint, timeline):
        raise PrivacyNotRaised("the time to change the privacy has passed", reason="window_closed")


# Words an agency sends a reporter who chose not to be known, that could make them known: a link
# (a tracking page, a form that asks who they are) or a request for their NIK, KTP, family card,
# number or address. Held until the operator confirms (`held_reasons`); a public report's are not.
_LINK = re.compile(
    r"(?:https?://|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|id|io|me|ly|link|xyz|info|site|online|app)\b)",
    re.IGNORECASE,
)
# A request (a verb of asking, then within the sentence what would identify them), not a mention:
# "KTP Anda sudah dicetak" is Disdukcapil's everyday answer; "mohon kirim NIK Anda" is a request.
_IDENTITY = re.compile(
    r"\b(?:kirim\w*|sebut\w*|beri\w*|lampir\w*|cantum\w*|informasikan|mohon(?!\s+maaf)|tolong|minta|bawa\w*"
    r"|send|give|provide|tell|share|bring)\b[^.?!\n]{0,60}?"
    r"\b(?:nik|ktp|e-?ktp|kk|kartu\s+keluarga|nomor\s+(?:induk|kk|hp|telepon|telp|wa|whatsapp)"
    r"|no\.?\s*(?:hp|telp|wa|kk|ktp)|alamat|nama\s+lengkap|identity\s+card|id\s+number|address"
    r"|phone\s+number|full\s+name)\b",
    re.IGNORECASE,
)


def held_reasons(text: str, privacy: Privacy) -> list[str]:
    """Why words to an anonymous or confidential reporter wait for the operator's confirmation:
    `held_link`, `held_identity_request`; empty when they may go (and always for a public report)."""
    if privacy is Privacy.PUBLIC:
        return []
    reasons = []
    if _LINK.search(text):
        reasons.append("held_link")
    if _IDENTITY.search(text):
        reasons.append("held_identity_request")
    return reasons
