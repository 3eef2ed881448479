"""What a citizen's words may hold (issue #21, item 9): an email address that is one mailbox and
nothing more, and a title and description without control characters, bidi overrides or invisible
padding. Each is refused as a 422 naming the field, in both languages, or tidied
(aduan.domain.free_text, docs/api.md "Free text")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from aduan.domain.api_texts import ERRORS
from aduan.domain.free_text import problem, tidy, visible_length
from aduan.doors.http_api import validation_details
from aduan.intake import ComplaintInput

NOW = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)
REPORT: dict[str, Any] = {
    "title": "KTP elektronik belum jadi",
    "description": "Saya merekam e-KTP di Kecamatan Cikupa pada bulan Desember, sampai sekarang belum jadi.",
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


def filed(**fields: Any) -> ComplaintInput:
    return ComplaintInput.model_validate({**REPORT, **fields}, context={"now": NOW})


def refusal(language: str = "id", **fields: Any) -> dict[str, str]:
    """The one detail a 422 would carry: {field: message}."""
    with pytest.raises(ValidationError) as caught:
        filed(**fields)
    details = validation_details(list(caught.value.errors()), language)  # type: ignore[arg-type]
    return {detail["field"]: detail["message"] for detail in details}


# -- email --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "warga@evil.example?bcc=x@y.z",  # a second recipient smuggled into a mailto
        "warga@evil.example?bcc=x",  # the same with one @: the old pattern let it through
        "warga@evil.example%0abcc:x@y.z",
        'warga"<x@y.z>"@evil.example',
        "Warga <warga@example.id>",
        '"warga lapor"@example.id',
        "warga@[127.0.0.1]",
        "warga@example.id,x@y.z",
        "warga@localhost",
        "warga@mail.test",
        "wärga@example.id",  # SES takes no SMTPUTF8 mailbox
    ],
)
def test_an_email_that_is_more_or_other_than_one_mailbox_is_refused(email: str) -> None:
    assert refusal("en", reporter={"email": email}) == {"reporter.email": "Not a valid email address."}


def test_a_real_email_is_kept_in_lower_case_with_its_domain_in_ascii() -> None:
    assert filed(reporter={"email": " Siti.Aminah+Lapor@Example.ID "}).reporter.email == (
        "siti.aminah+lapor@example.id"
    )
    assert filed(reporter={"email": "warga@bücher.example"}).reporter.email == "warga@xn--bcher-kva.example"


# -- title and description ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize(
    "bidi", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
)
def test_a_bidi_override_or_isolate_is_refused_naming_the_field(field: str, bidi: str) -> None:
    # "Trojan Source": the operator would read "…sudah selesai" where the text says otherwise.
    text = REPORT[field] + f" {bidi}iasles hadus{bidi}"
    assert refusal("en", **{field: text}) == {
        field: "Contains a text-direction (bidi) control character that is not allowed."
    }


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b[2J", "\x7f", "\x85", "\x9b"])
def test_a_control_character_is_refused_naming_the_field(field: str, control: str) -> None:
    text = REPORT[field][:8] + control + REPORT[field][8:]
    assert refusal(**{field: text}) == {field: "Mengandung karakter kontrol atau karakter tidak sah."}
    assert problem(control) == "text_control_character"


@pytest.mark.parametrize("field", ["title", "description"])
def test_a_lone_surrogate_is_refused_naming_the_field(field: str) -> None:
    assert refusal("en", **{field: REPORT[field] + "\ud800"}) == {field: "Contains an invalid character."}


@pytest.mark.parametrize(("field", "minimum"), [("title", 10), ("description", 30)])
def test_zero_width_text_is_not_long_enough_however_long_it_is(field: str, minimum: int) -> None:
    for invisible in ("\u200b" * 140, "\ufeff\u200c\u200d" * 45, "\u2060 \u200b " * 35, "\u3164" * 100):
        assert refusal("en", **{field: invisible}) == {
            field: f"At least {minimum} characters, not counting invisible ones."
        }, repr(invisible)
    # Padding does not make a short text long enough either.
    assert field in refusal(**{field: "Jalan" + "\u200b" * 40})


def test_zero_width_padding_is_trimmed_and_joiners_inside_are_kept() -> None:
    report = filed(
        title="\u200b\ufeff Jalan rusak 👨\u200d👩\u200d👧 parah \u200b", description=REPORT["description"]
    )
    assert report.title == "Jalan rusak 👨\u200d👩\u200d👧 parah"


def test_line_breaks_stay_in_a_description_and_become_spaces_in_a_title() -> None:
    report = filed(
        title="Jalan rusak\r\ndi Cikupa\tparah",
        description="Kronologi:\r\n1. Lubang sejak Januari.\r2. Sudah lapor RT.\u2028\tBelum ada tindakan.",
    )
    assert report.title == "Jalan rusak di Cikupa parah"
    assert (
        report.description
        == "Kronologi:\n1. Lubang sejak Januari.\n2. Sudah lapor RT.\n\tBelum ada tindakan."
    )


def test_the_name_and_the_address_are_held_to_the_same_rules() -> None:
    assert refusal(reporter={"name": "Siti\u202e", "phone": "0812-3456-7890"}) == {
        "reporter.name": "Mengandung karakter pengubah arah teks (bidi) yang tidak diizinkan."
    }
    assert "location.address" in refusal(location={"address": "Jl. Raya\x00"})
    assert filed(location={"address": "Jl. Raya Serang\nKm 24"}).location.address == "Jl. Raya Serang Km 24"


def test_the_rules_themselves() -> None:
    assert problem("Jalan rusak, lubang 30 cm; ñ é ü 漢字 عربي") is None
    assert problem("a\tb\nc\r\nd") is None
    assert tidy(" \u200b a \u200d", multiline=False) == "a"
    assert visible_length("a\u200bb c\u00ad") == 4


def test_every_refusal_reads_in_both_languages() -> None:
    for code in ("text_control_character", "text_bidi_control", "text_too_few_visible", "invalid_email"):
        assert set(ERRORS[code]) == {"id", "en"}
