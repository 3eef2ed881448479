"""Every SMS template fits one 160-character GSM-7 segment with realistic values, in both languages."""

from __future__ import annotations

import pytest

from aduan.domain.models import Language, Privacy
from aduan.domain.notification_texts import (
    EMAIL_SUBJECTS,
    PRIVACY_LEVELS,
    PRIVACY_RAISES,
    SMS,
    SMS_ONLY,
    gsm7_length,
    render_email,
    render_sms,
    to_gsm7,
)

# The longest values the seed data and the domain produce.
REALISTIC = {
    "tracking_id": "K7MX4-RPA27",
    "access_code": "N2ZVVE37",
    "agency": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang",
    "due": "24 Mar 2026",
    "status": "Diteruskan ke instansi",
    "category": "Kependudukan",
    "privacy": "anonymous",  # an SMS report's default, whose receipt is the longest (PRIVACY_LEVELS)
    "question": (
        "Mohon lampirkan foto KTP lama, nomor registrasi perekaman, dan tanggal perekaman e-KTP "
        "di kecamatan agar kami dapat menelusuri berkas Anda."
    ),
    "response": (
        "KTP elektronik Anda sudah dicetak dan dapat diambil di Kantor Kecamatan Cikupa pada jam kerja "
        "dengan membawa bukti perekaman dan fotokopi KK."
    ),
}


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("template", sorted(SMS))
def test_each_sms_template_fits_one_gsm7_segment(template: str, language: Language) -> None:
    text = render_sms(template, language, REALISTIC)
    length = gsm7_length(text)
    assert length is not None, f"{template} needs UCS-2: {text!r}"
    assert length <= 160, f"{template} ({language}) is {length} septets: {text!r}"


def test_free_text_is_shortened_to_fit_and_says_so() -> None:
    text = render_sms("responded", Language.ID, REALISTIC)
    assert "..." in text
    assert text.startswith("Aduan K7MX4-RPA27: Dinas Kependudukan")


def test_characters_outside_gsm7_are_replaced_not_sent_as_ucs2() -> None:
    assert to_gsm7("“Jalan” rusak — sangat parah…") == '"Jalan" rusak - sangat parah...'
    assert gsm7_length(to_gsm7("Kecamatan Serpong Utara ✓ 🙏")) is not None


def test_gsm7_counts_extension_characters_twice() -> None:
    assert gsm7_length("[]") == 4
    assert gsm7_length("abc") == 3
    assert gsm7_length("日本") is None


def test_every_template_has_an_email_form_unless_it_only_answers_a_text() -> None:
    assert set(SMS) - set(EMAIL_SUBJECTS) == SMS_ONLY


@pytest.mark.parametrize("template", sorted(EMAIL_SUBJECTS))
def test_each_email_has_a_subject_text_and_html(template: str) -> None:
    subject, text, html = render_email(template, Language.EN, REALISTIC)
    assert subject
    assert text
    assert html.startswith("<!doctype html>")


PRIVACY_TEMPLATES = ["received", "privacy_raised", "privacy_not_raised", "privacy_window_closed"]


@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("privacy", list(Privacy))
@pytest.mark.parametrize("template", PRIVACY_TEMPLATES)
def test_each_privacy_level_is_told_in_one_gsm7_segment(
    template: str, privacy: Privacy, language: Language
) -> None:
    text = render_sms(template, language, {**REALISTIC, "privacy": privacy.value})
    length = gsm7_length(text)
    assert length is not None, text
    assert length <= 160, f"{template} ({privacy}, {language}) is {length} septets: {text!r}"
    assert PRIVACY_LEVELS[privacy][language].strip() in text
    assert "{" not in text


@pytest.mark.parametrize("language", list(Language))
def test_the_receipt_says_the_level_and_how_to_raise_it_by_text(language: Language) -> None:
    anonymous = render_sms("received", language, REALISTIC)
    confidential = render_sms("received", language, {**REALISTIC, "privacy": "confidential"})
    public = render_sms("received", language, {**REALISTIC, "privacy": "public"})

    assert "RAHASIA" in anonymous.split(REALISTIC["access_code"])[1]  # how to raise it, after the code
    assert "ANONIM/RAHASIA" in public
    assert confidential.endswith("CEK.")  # nothing is above confidential
    assert set(PRIVACY_LEVELS) == set(PRIVACY_RAISES) == {privacy.value for privacy in Privacy}


def test_an_email_receipt_states_the_level_but_not_an_sms_command_to_change_it() -> None:
    _, text, _ = render_email("received", Language.ID, REALISTIC)
    assert "ANONIM: identitas tdk ke instansi" in text
    assert "Kirim RAHASIA" not in text


def test_a_receipt_queued_before_privacy_was_in_it_still_renders() -> None:
    values = {key: value for key, value in REALISTIC.items() if key != "privacy"}
    assert render_sms("received", Language.ID, values) == (
        "Aduan: laporan K7MX4-RPA27 diterima. Kode akses: N2ZVVE37 (rahasiakan). Status: CEK."
    )
