"""Every reporter identity the tests submit, and a scanner that finds any of them in log lines.

Log lines may carry tracking IDs and codes, never a reporter's name, phone number or email
(aduan.observability). The tests register each identity they send (tests.e2e.helpers does it for
`report` and `send_sms`, tests.factories for complaints written straight into a store); a session
fixture captures every record of the local stack at every level, tracebacks included, and scans
them all at the end.

Evidence (DESIGN §4.1) adds what a file tells of its sender: the name the citizen's phone gave it
and what the camera wrote in its EXIF (a position, a make) are registered as the tests send them
(`file_text`), and a link to the bucket is found by its signature wherever it is (`PRESIGNED`): a
presigned POST's policy, credential and signature, a presigned GET's query, a session token.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# A run of digits and the separators people type: a phone number however it is written, and
# whatever is written next to it. Unbounded, so that a number after a long reference number is
# still inside the run that is searched (`leaks` looks for every registered form within it).
_PHONE_LIKE = re.compile(r"\d[\d\s\-().]*\d")
_EMAIL_LIKE = re.compile(r"[^\s\"'<>(),;:\\]+@[^\s\"'<>(),;:\\]+")
_SHORTEST_NATIONAL = 8  # digits after the country code or trunk 0; shorter numbers are not identities
_SHORTEST_NAME = 5
# What only a presigned request or its form carries, in any case: SigV4's values (a signature's 64
# hex digits, a credential's scope `<date>/<region>/s3/aws4_request`, slashes encoded or not, a
# role's session token) and the POST policy, base64 as the form holds it (botocore's policy begins
# with "expiration") or as its decoded JSON. The parameters' names alone are not a leak: a fuzzer
# sends `/complaints/x-amz-credential`, and the access log rightly records the path.
PRESIGNED = re.compile(
    r"x-amz-signature[\"']?\s*[=:]\s*[\"']?[0-9a-f]{64}"
    r"|(?:/|%2F)\d{8}(?:/|%2F)[a-z0-9-]+(?:/|%2F)s3(?:/|%2F)aws4_request"
    r"|x-amz-security-token[\"']?\s*[=:]\s*[\"']?[A-Za-z0-9+/=%]{16,}"
    r"|eyJleHBpcmF0aW9uIj"
    r"|\"expiration\":\s*\"[^\"]*\",\s*\"conditions\"",
    re.IGNORECASE,
)


def phone_forms(typed: str) -> set[str]:
    """The digit strings a number may appear as: E.164 digits (62...), national (08...) and the
    national significant number (8...), for a valid Indonesian number; empty when it is not one."""
    from aduan.intake import normalise_phone

    try:
        e164 = normalise_phone(typed)
    except ValueError:  # pydantic's PydanticCustomError is a ValueError
        return set()
    national = e164.removeprefix("+62")
    if len(national) < _SHORTEST_NATIONAL:
        return set()
    return {e164[1:], "0" + national, national}


@dataclass
class Identities:
    """The registry: thread-safe, since load clients register from several threads."""

    phones: set[str] = field(default_factory=set)  # digit forms
    emails: set[str] = field(default_factory=set)  # lower case
    names: set[str] = field(default_factory=set)
    file_texts: set[str] = field(default_factory=set)  # file names, EXIF strings: as sent
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def phone(self, typed: str | None) -> None:
        if typed:
            forms = phone_forms(typed)
            with self._lock:
                self.phones |= forms

    def email(self, typed: str | None) -> None:
        if typed and "@" in typed and len(typed) >= _SHORTEST_NAME:
            with self._lock:
                self.emails.add(typed.strip().lower())

    def name(self, typed: str | None) -> None:
        if typed and len(typed.strip()) >= _SHORTEST_NAME and any(c.isalpha() for c in typed):
            with self._lock:
                self.names.add(typed.strip())

    def file_text(self, typed: str | None) -> None:
        """Something a file says of the citizen that no log line may repeat: the name their phone
        gave it (`KTP_Siti.jpg`), or a value written in its EXIF (a GPS position, a camera make)."""
        if typed and len(typed.strip()) >= _SHORTEST_NAME:
            with self._lock:
                self.file_texts.add(typed.strip())

    def reporter(self, reporter: Any, *, generated: bool = False) -> None:
        """Register a report body's `reporter` object (whatever a test put there). A generated
        name counts only when it has two words: one generated word ("Query") is as likely to be
        a word every log line uses as a name, and would fail the scan for nothing."""
        if not isinstance(reporter, dict):
            return
        for kind in ("phone", "email", "name"):
            value = reporter.get(kind)
            if not isinstance(value, str):
                continue
            if kind == "name" and generated and len(value.split()) < 2:
                continue
            getattr(self, kind)(value)

    def leaks(self, lines: Iterable[str]) -> list[tuple[str, str]]:
        """(identity found, the line) for every line that carries a registered identity, a
        registered file name or EXIF value, or a presigned link's signature, credential or policy."""
        with self._lock:
            phones, emails = set(self.phones), set(self.emails)
            names = sorted(self.names | self.file_texts)
        lengths = sorted({len(form) for form in phones})
        found: list[tuple[str, str]] = []
        for line in lines:
            for candidate in _PHONE_LIKE.findall(line):
                digits = re.sub(r"\D", "", candidate)
                hit = next(
                    (
                        digits[start : start + size]
                        for size in lengths
                        for start in range(len(digits) - size + 1)
                        if digits[start : start + size] in phones
                    ),
                    None,
                )
                if hit:
                    found.append((hit, line))
            for candidate in _EMAIL_LIKE.findall(line):
                address = candidate.strip(".").lower()
                if address in emails:
                    found.append((address, line))
            found.extend((name, line) for name in names if name in line)
            found.extend((signed.group(0), line) for signed in PRESIGNED.finditer(line))
        return found


IDENTITIES = Identities()


class LogCapture(logging.Handler):
    """Every record it is given, as the log shows it: the message, then any traceback
    (`exc_text`) or stack, so that what an exception says is scanned too."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def captured(name: str) -> Iterator[LogCapture]:
    """Every record of the logger `name` and its children, DEBUG included, while the block runs."""
    capture = LogCapture()
    logger = logging.getLogger(name)
    level = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(level)
