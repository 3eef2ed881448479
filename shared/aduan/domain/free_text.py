"""Free text a citizen types (a title, a description, a name, an address): what is refused, what
is tidied and what counts towards its length, before an operator reads it or a message quotes it.

Refused, as the citizen's to correct (422 naming the field):
- control characters (C0, DEL, C1) and lone surrogates; a description keeps its line breaks and
  tabs;
- the bidi embedding, override and isolate characters U+202A..U+202E and U+2066..U+2069, which make
  text display in an order other than the one it is stored and read in ("Trojan Source"): an
  operator would read a different sentence from the one the citizen's words say.
Tidied: every line break becomes a line feed (CR LF, CR, U+2028, U+2029); a one-line field (a
title, a name, an address) has spaces for its line breaks and tabs; zero-width characters are
trimmed from both ends with the whitespace (inside the text they stay: emoji and some scripts join
with them).
Counted: a minimum length does not count what prints as nothing, so zero-width padding does not
make a text long enough, and text of invisible characters alone is refused however long it is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 but tab, line feed and carriage return; DEL and C1; lone surrogates (no character at all).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters that print as nothing: zero-width spaces and joiners, the word joiner, the byte-order
# mark, the soft hyphen, direction marks.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u180e")
# Letters and symbols that also print as nothing (Hangul fillers, the braille blank).
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")
_ONE_LINE = str.maketrans("\n\t", "  ")


def problem(text: str) -> str | None:
    """Why the text is refused (`text_bidi_control`, `text_control_character`), or None. Line
    breaks and tabs are not refused anywhere: a one-line field turns them into spaces."""
    if _BIDI.search(text):
        return "text_bidi_control"
    if _CONTROL.search(text):
        return "text_control_character"
    return None


def tidy(text: str, *, multiline: bool) -> str:
    """Line breaks as line feeds (spaces in a one-line field), zero-width characters off both ends."""
    text = LINE_BREAKS.sub("\n", text)
    if not multiline:
        text = text.translate(_ONE_LINE)
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return text[start:end]


def visible_length(text: str) -> int:
    """The length less what prints as nothing (zero-width and other format characters, blank
    letters); spaces count, as they do in any other length."""
    return sum(1 for character in text if not _invisible(character))


def _invisible(character: str) -> bool:
    return (
        character in ZERO_WIDTH
        or character in BLANK_LETTERS
        or unicodedata.category(character) in ("Cf", "Cs")
    )


def _blank(character: str) -> bool:
    return character.isspace() or character in ZERO_WIDTH or character in BLANK_LETTERS


def _checked(multiline: bool, min_visible: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        code = problem(value)
        if code:
            raise PydanticCustomError(code, "the text holds a character that is not allowed")
        tidied = tidy(value, multiline=multiline)
        if visible_length(tidied) < min_visible:
            raise PydanticCustomError(
                "text_too_few_visible",
                "at least {min_length} visible characters",
                {"min_length": min_visible},
            )
        return tidied

    return check


def one_line(min_visible: int = 0) -> AfterValidator:
    """A pydantic validator for a one-line field (a title, a name, an address)."""
    return AfterValidator(_checked(False, min_visible))


def paragraphs(min_visible: int = 0) -> AfterValidator:
    """A pydantic validator for text with line breaks (a description)."""
    return AfterValidator(_checked(True, min_visible))
