"""An operator's words to a reporter who chose not to be known (anonymous or confidential) are held
when they could make them known: a link, or a request for their NIK, KTP, number or address. The
operator sees why and may send them anyway (`confirm`); the timeline keeps what was confirmed past."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.domain.errors import TextHeld
from aduan.domain.models import Language, Privacy
from aduan.domain.privacy import held_reasons
from aduan.doors.http_api import domain_error_details
from tests.factories import ASSIGNED_AT
from tests.unit.world import World, story

NOW = ASSIGNED_AT
LATER = NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "reasons"),
    [
        ("Silakan isi formulir di https://bit.ly/3xYz agar kami bisa membantu.", ["held_link"]),
        ("Lihat www.contoh-form.com untuk detailnya.", ["held_link"]),
        ("Mohon kirimkan form di lapor-cepat.xyz segera.", ["held_link"]),
        ("Mohon kirimkan NIK Bapak/Ibu untuk verifikasi.", ["held_identity_request"]),
        ("Tolong foto e-KTP dan alamat rumah Anda.", ["held_identity_request"]),
        ("Kirim nomor HP dan isi https://x.example.id/f", ["held_link", "held_identity_request"]),
        ("Please send your phone number so we can call you.", ["held_identity_request"]),
    ],
)
def test_words_that_could_unmask_a_reporter_are_named(text: str, reasons: list[str]) -> None:
    assert held_reasons(text, Privacy.ANONYMOUS) == reasons
    assert held_reasons(text, Privacy.CONFIDENTIAL) == reasons
    assert held_reasons(text, Privacy.PUBLIC) == []  # a public reporter is known already


@pytest.mark.parametrize(
    "text",
    [
        "Sudah kami perbaiki pada hari Senin. Terima kasih atas laporannya.",
        "Petugas akan datang ke lokasi minggu depan.",
        "Mohon jelaskan jam berapa kejadiannya.",
        "Jalan sudah ditambal, ktpnya? bukan urusan kami.",  # 'ktpnya' is not a request for a KTP
        "KTP elektronik Anda sudah dicetak dan dapat diambil di kecamatan.",  # a mention, not a request
        "Mohon maaf, KTP sudah dikirim ke kecamatan hari ini.",  # an apology asks for nothing
    ],
)
def test_everyday_answers_go_straight_through(text: str) -> None:
    assert held_reasons(text, Privacy.CONFIDENTIAL) == []


@given(st.text(alphabet=st.characters(categories=("Ll", "Zs")), max_size=200))
def test_plain_lowercase_words_without_a_dot_hold_only_identity_requests(text: str) -> None:
    assert "held_link" not in held_reasons(text, Privacy.ANONYMOUS)


def test_a_held_response_sends_nothing_and_names_the_field_until_confirmed() -> None:
    world = World()
    case = world.assigned(NOW, privacy=Privacy.ANONYMOUS)
    queued = len(world.notifications.sent)

    with pytest.raises(TextHeld) as held:
        world.act(case, "respond", LATER, text="Mohon kirim NIK Anda lewat https://bit.ly/abc")
    assert held.value.problems == [("text", "held_link", {}), ("text", "held_identity_request", {})]
    details = domain_error_details(held.value, Language.EN)
    assert [detail["field"] for detail in details] == ["text", "text"]
    assert "link" in details[0]["message"]
    assert world.complaints.get(case.tracking_id) == case, "nothing written"
    assert len(world.notifications.sent) == queued, "nothing sent"

    sent = world.act(
        case, "respond", LATER, text="Mohon kirim NIK Anda lewat https://bit.ly/abc", confirm=True
    )
    assert story(world, case.tracking_id)[-1] == "responded"
    [event] = [e for e in world.complaints.timeline(sent.tracking_id) if e.type == "responded"]
    assert event.data["confirmed_warnings"] == ["held_link", "held_identity_request"]


def test_a_public_reporter_s_question_is_never_held() -> None:
    world = World()
    case = world.assigned(NOW, privacy=Privacy.PUBLIC)
    asked = world.act(case, "request_info", LATER, text="Mohon kirim NIK Anda.")
    assert asked.status.value == "waiting_on_citizen"
