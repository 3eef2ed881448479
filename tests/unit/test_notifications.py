"""Every SMS template fits one 160-character GSM-7 segment with realistic values, in both languages."""

from __future__ import annotations

import pytest

from aduan.domain.models import Language
from aduan.domain.notification_texts import (
    EMAIL_SUBJECTS,
    SMS,
    SMS_ONLY,
    gsm7_length,
    render_email,
    render_sms,
    to_gsm7,
)

# The longest values the seed data and the domain produce.
REALISTIC = {
    "tracking_id": "K7MX4-RPA2Q",
    "access_code": "N2ZVVE37",
    "agency": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang",
    "due": "24 Mar 2026",
    "status": "Diteruskan ke instansi",
    "category": "Kependudukan",
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
    assert text.startswith("Aduan K7MX4-RPA2Q: Dinas Kependudukan")


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
