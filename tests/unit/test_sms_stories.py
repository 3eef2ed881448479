"""A citizen by text message: a report, `CEK` for the status, `BALAS` to reply. Every answer goes
out through the notification queue, and what is said about a complaint goes only to its reporter."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.citizen import track_complaint
from aduan.domain.errors import NotFound
from aduan.domain.models import Actor, Channel, Language, Privacy, Role, Status
from aduan.domain.notifications import Notification
from aduan.domain.tracking import display_form
from aduan.operations import view_complaint
from tests.factories import ACCESS_KEY, ASSIGNED_AT
from tests.fakes import Unavailable
from tests.unit.world import DISDUKCAPIL, OPERATOR, SITI, World, story, templates

NOW = ASSIGNED_AT
STRANGER = "+6285799998888"
REPORT = "KTP elektronik saya belum jadi padahal sudah rekam di Kecamatan Cikupa bulan Desember."


@pytest.fixture
def world() -> World:
    return World()


def text(
    world: World,
    body: str,
    sender: str = SITI,
    message_id: str = "SM1",
    minutes: int = 0,
    destinations: tuple[str, ...] = ("62",),
) -> str:
    return world.text(sender, body, message_id, NOW + timedelta(minutes=minutes), destinations)


def reported(world: World) -> str:
    """Siti's SMS report, routed, and every answer delivered."""
    assert text(world, REPORT) == "report"
    tracking_id: str = world.routing.sent[-1]["tracking_id"]
    world.route(tracking_id, NOW)
    world.deliver_queued(NOW)
    return tracking_id


def answers(world: World) -> list[Notification]:
    return [Notification.model_validate(message) for message in world.notifications.receive()]


def test_an_sms_report_is_filed_and_acknowledged_by_sms(world: World) -> None:
    assert text(world, REPORT) == "report"

    tracking_id = world.routing.sent[-1]["tracking_id"]
    stored = world.complaints.get(tracking_id)
    assert (stored.channel, stored.reporter.phone, stored.description) == (Channel.SMS, SITI, REPORT)
    [acknowledgement] = answers(world)
    assert (acknowledgement.template, acknowledgement.channel) == ("received", "sms")


def test_the_same_sms_delivered_twice_files_one_complaint_and_answers_once(world: World) -> None:
    assert text(world, REPORT, message_id="SM42") == "report"
    sent = (len(world.notifications.sent), len(world.routing.sent))

    assert text(world, REPORT, message_id="SM42", minutes=1) == "replayed"

    assert (len(world.notifications.sent), len(world.routing.sent)) == sent
    assert len(world.complaints.by_reporter(SITI)) == 1


def test_cek_answers_the_reporter_with_the_status_on_her_own_number(world: World) -> None:
    tracking_id = reported(world)

    assert text(world, f"cek  {display_form(tracking_id).lower()}.", message_id="SM2") == "status"

    answer = world.queued()[-1]
    assert (answer.template, answer.recipient, answer.reply_to) == ("status", "citizen", None)
    assert world.deliver_queued(NOW) == ["sent"]
    to, words = world.sms.sent[-1]
    assert to == SITI
    assert display_form(tracking_id) in words
    assert "Dinas Kependudukan" in words
    assert len(words) <= 160


def test_cek_from_another_number_learns_nothing(world: World) -> None:
    tracking_id = reported(world)

    assert text(world, f"CEK {tracking_id}", sender=STRANGER, message_id="SM3") == "not_found"

    answer = world.queued()[-1]
    assert (answer.template, answer.recipient, answer.reply_to) == ("not_found", "sender", STRANGER)
    assert answer.tracking_id is None
    assert set(answer.values) == {"tracking_id"}  # what the stranger typed, nothing of the complaint
    assert world.deliver_queued(NOW) == ["sent"]
    to, words = world.sms.sent[-1]
    assert to == STRANGER
    assert "tidak ditemukan" in words
    assert "Dinas" not in words


def test_cek_without_an_id_answers_about_the_senders_latest_complaint(world: World) -> None:
    first = reported(world)
    assert text(world, REPORT + " Ini laporan kedua.", message_id="SM4", minutes=5) == "report"
    latest = world.routing.sent[-1]["tracking_id"]
    answers(world)

    assert text(world, "CEK", message_id="SM5", minutes=6) == "status"
    [answer] = answers(world)
    assert answer.tracking_id == latest != first


def test_cek_without_an_id_from_a_number_that_never_reported_is_not_found(world: World) -> None:
    reported(world)
    assert text(world, "CEK", sender=STRANGER, message_id="SM6") == "not_found"
    assert templates(answers(world)) == [("not_found", "sender")]


def test_a_typo_in_the_id_gets_a_hint(world: World) -> None:
    tracking_id = reported(world)
    typo = tracking_id[:-1] + ("2" if tracking_id[-1] != "2" else "3")
    assert text(world, f"CEK {typo}", message_id="SM7") == "unknown_id"
    assert templates(answers(world)) == [("typo", "sender")]


def test_balas_adds_the_citizens_reply_and_confirms_it(world: World) -> None:
    tracking_id = reported(world)

    assert text(world, f"BALAS {tracking_id} Saya sudah ke kecamatan.", message_id="SM8") == "reply"

    assert story(world, tracking_id)[-1] == "commented"
    assert world.complaints.timeline(tracking_id)[-1].data["text"] == "Saya sudah ke kecamatan."
    assert templates(world.queued()[-1:]) == [("reply_received", "citizen")]
    world.deliver_queued(NOW)
    assert world.sms.sent[-1] == (
        SITI,
        f"Aduan {display_form(tracking_id)}: balasan Anda sudah diterima dan diteruskan ke petugas.",
    )
    public = track_complaint(
        tracking_id,
        None,
        complaints=world.complaints,
        names=world.reference,
        language=Language.ID,
        access_key=ACCESS_KEY,
    )
    assert "kecamatan" not in str(public["timeline"])  # the reply is for the officer, not the public page


def test_balas_from_another_number_changes_nothing(world: World) -> None:
    tracking_id = reported(world)
    assert text(world, f"BALAS {tracking_id} ini bukan laporan saya", sender=STRANGER, message_id="SM9") == (
        "not_found"
    )
    assert story(world, tracking_id) == ["submitted", "assigned"]


def responded(world: World) -> str:
    tracking_id = reported(world)
    world.act(world.complaints.get(tracking_id), "respond", NOW + timedelta(hours=1), text="KTP sudah jadi.")
    answers(world)
    return tracking_id


def test_belum_on_a_responded_complaint_reopens_it_at_the_agency(world: World) -> None:
    tracking_id = responded(world)

    outcome = text(world, f"BALAS {tracking_id} BELUM saya terima", message_id="SM10", minutes=120)

    assert outcome == "reopen"
    assert world.complaints.get(tracking_id).status is Status.IN_PROGRESS
    assert set(templates(answers(world))) == {
        ("reopened", f"agency:{DISDUKCAPIL}:0"),
        ("reply_received", "citizen"),
    }


def test_belum_followed_by_a_comma_reopens_it_too(world: World) -> None:
    tracking_id = responded(world)
    outcome = text(world, f"BALAS {tracking_id} Belum, KTP belum saya terima", message_id="SM11", minutes=120)
    assert outcome == "reopen"


def test_a_balas_the_gateway_sends_again_is_recorded_once(world: World) -> None:
    tracking_id = reported(world)
    balas = f"BALAS {tracking_id} Saya sudah ke kecamatan."
    world.notifications.fail()  # the confirmation cannot be queued: the door answers 503
    with pytest.raises(Unavailable):
        text(world, balas, message_id="SM12")

    text(world, balas, message_id="SM12", minutes=1)  # so the gateway sends the same text again

    assert story(world, tracking_id).count("commented") == 1


def test_balas_on_a_closed_complaint_gets_an_answer_rather_than_an_error(world: World) -> None:
    tracking_id = reported(world)
    national = Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin")
    world.act(world.complaints.get(tracking_id), "archive", NOW, actor=national, reason="duplicate")
    answers(world)

    text(world, f"BALAS {tracking_id} Kenapa ditutup?", message_id="SM13", minutes=5)
    assert answers(world)  # some answer, whatever it says


def test_a_short_text_gets_a_helpful_answer_and_files_nothing(world: World) -> None:
    assert text(world, "halo") == "help:too_short"
    [answer] = world.queued()
    assert (answer.template, answer.reply_to) == ("help_too_short", SITI)
    assert world.complaints.by_reporter(SITI) == []
    world.deliver_queued(NOW)
    [(to, words)] = world.sms.sent
    assert to == SITI
    assert "min. 30 huruf" in words


# -- a closed complaint, and every command once per MessageSid --------------------------------------


def test_balas_on_a_closed_complaint_is_answered_in_one_sms_and_records_nothing(world: World) -> None:
    tracking_id = reported(world)
    national = Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin")
    world.act(world.complaints.get(tracking_id), "archive", NOW, actor=national, reason="duplicate")
    world.deliver_queued(NOW)
    before = story(world, tracking_id)

    assert text(world, f"BALAS {tracking_id} Kenapa ditutup?", message_id="SM14", minutes=5) == (
        "reply_refused"
    )

    assert story(world, tracking_id) == before
    assert world.deliver_queued(NOW) == ["sent"]
    to, words = world.sms.sent[-1]
    assert to == SITI
    assert "Diarsipkan" in words
    assert "laporan baru" in words
    assert len(words) <= 160


def test_a_balas_delivered_twice_at_once_is_recorded_once_and_confirmed_once(world: World) -> None:
    tracking_id = reported(world)
    balas = f"BALAS {tracking_id} Saya sudah ke kecamatan."
    # The second delivery reads the complaint while the first is being written: it loses the race.
    world.complaints.meanwhile(lambda: text(world, balas, message_id="SM15"))

    assert text(world, balas, message_id="SM15") == "replayed"

    assert story(world, tracking_id).count("commented") == 1
    assert world.deliver_queued(NOW) == ["sent", "duplicate"]


@pytest.mark.parametrize(
    ("words", "event"),
    [("NILAI 4 terima kasih", "rated"), ("BELUM saya terima", "reopened")],
)
def test_a_rating_or_a_reopen_the_gateway_sends_again_is_taken_once(
    world: World, words: str, event: str
) -> None:
    tracking_id = responded(world)
    balas = f"BALAS {tracking_id} {words}"
    assert text(world, balas, message_id="SM16", minutes=120) != "replayed"

    # The same text again, after the complaint changed (a reopened complaint no longer reads BELUM
    # as a reopen: without the record it would be filed as a comment).
    assert text(world, balas, message_id="SM16", minutes=121) == "replayed"

    assert story(world, tracking_id).count(event) == 1
    assert "commented" not in story(world, tracking_id)


def test_a_cek_the_gateway_sends_again_is_answered_once(world: World) -> None:
    tracking_id = reported(world)
    for minute in (1, 2):
        text(world, f"CEK {tracking_id}", message_id="SM17", minutes=minute)

    assert world.deliver_queued(NOW) == ["sent", "duplicate"]


# -- privacy by text -------------------------------------------------------------------------------


def receipt_of(world: World) -> Notification:
    [receipt] = [n for n in world.queued() if n.template == "received"]
    return receipt


def operator_sees(world: World, tracking_id: str) -> dict[str, object]:
    return view_complaint(
        tracking_id, OPERATOR, complaints=world.complaints, reference=world.reference, language=Language.ID
    )


def public_view(world: World, tracking_id: str, code: str | None = None) -> dict[str, object]:
    return track_complaint(
        tracking_id,
        code,
        complaints=world.complaints,
        names=world.reference,
        language=Language.ID,
        access_key=ACCESS_KEY,
    )


def test_an_sms_report_naming_no_level_is_anonymous_and_the_receipt_says_how_to_raise_it(
    world: World,
) -> None:
    tracking_id = reported(world)

    assert world.complaints.get(tracking_id).privacy is Privacy.ANONYMOUS
    view = operator_sees(world, tracking_id)
    assert view["reporter"] is None
    assert SITI.removeprefix("+62") not in str(view)
    assert public_view(world, tracking_id)["description"] == REPORT  # as anonymous is: by its ID
    [words] = [words for to, words in world.sms.sent if "diterima" in words]
    assert "ANONIM: identitas tdk ke instansi" in words
    assert "Kirim RAHASIA dlm 24 jam" in words
    assert len(words) <= 160


@pytest.mark.parametrize("opening", ["RAHASIA ", "rahasia: ", "*Rahasia* ", "Rahasia, "])
def test_an_sms_report_opening_with_rahasia_is_confidential_end_to_end(world: World, opening: str) -> None:
    assert text(world, opening + REPORT) == "report"
    tracking_id = world.routing.sent[-1]["tracking_id"]
    world.route(tracking_id, NOW)
    receipt = receipt_of(world)
    world.deliver_queued(NOW)

    stored = world.complaints.get(tracking_id)
    assert stored.privacy is Privacy.CONFIDENTIAL
    assert stored.description == REPORT
    assert stored.agency_id == DISDUKCAPIL
    view = operator_sees(world, tracking_id)
    assert view["reporter"] is None
    assert SITI.removeprefix("+62") not in str(view)
    with pytest.raises(NotFound):
        public_view(world, tracking_id)
    shown = public_view(world, tracking_id, receipt.values["access_code"])
    assert shown["description"] == stored.description
    [words] = [words for to, words in world.sms.sent if "diterima" in words]
    assert "RAHASIA: isi & identitas tertutup" in words
    assert receipt.values["access_code"] in words
    assert len(words) <= 160


@pytest.mark.parametrize(
    ("opening", "privacy"), [("PUBLIK ", "public"), ("umum: ", "public"), ("Anonim ", "anonymous")]
)
def test_an_sms_report_may_name_its_level(world: World, opening: str, privacy: str) -> None:
    assert text(world, opening + REPORT) == "report"
    stored = world.complaints.get(world.routing.sent[-1]["tracking_id"])
    assert (stored.privacy, stored.description) == (Privacy(privacy), REPORT)


def test_rahasia_with_the_id_from_the_reporters_number_raises_it_and_is_recorded(world: World) -> None:
    tracking_id = reported(world)

    outcome = text(world, f"rahasia {display_form(tracking_id).lower()}", message_id="SM20", minutes=30)

    assert outcome == "privacy_raised"
    assert world.complaints.get(tracking_id).privacy is Privacy.CONFIDENTIAL
    event = world.complaints.timeline(tracking_id)[-1]
    assert (event.type, event.actor.role, event.data) == (
        "privacy_raised",
        Role.CITIZEN,
        {"from": "anonymous", "to": "confidential"},
    )
    with pytest.raises(NotFound):
        public_view(world, tracking_id)
    assert world.deliver_queued(NOW) == ["sent"]
    assert world.sms.sent[-1] == (
        SITI,
        f"Aduan {display_form(tracking_id)}: laporan kini RAHASIA: isi & identitas tertutup.",
    )


def test_rahasia_alone_raises_the_senders_latest_report(world: World) -> None:
    first = reported(world)
    assert text(world, REPORT + " Ini laporan kedua.", message_id="SM21", minutes=5) == "report"
    latest = world.routing.sent[-1]["tracking_id"]

    assert text(world, "RAHASIA", message_id="SM22", minutes=6) == "privacy_raised"

    assert world.complaints.get(latest).privacy is Privacy.CONFIDENTIAL
    assert world.complaints.get(first).privacy is Privacy.ANONYMOUS


def test_rahasia_from_another_number_changes_nothing(world: World) -> None:
    tracking_id = reported(world)

    assert text(world, f"RAHASIA {tracking_id}", sender=STRANGER, message_id="SM23") == "not_found"

    assert world.complaints.get(tracking_id).privacy is Privacy.ANONYMOUS
    assert story(world, tracking_id) == ["submitted", "assigned"]


@pytest.mark.parametrize("keyword", ["PUBLIK", "ANONIM", "RAHASIA"])
def test_privacy_is_never_lowered_by_sms(world: World, keyword: str) -> None:
    assert text(world, "RAHASIA " + REPORT) == "report"
    tracking_id = world.routing.sent[-1]["tracking_id"]
    world.deliver_queued(NOW)

    assert text(world, f"{keyword} {tracking_id}", message_id="SM24", minutes=10) == "privacy_not_higher"

    assert world.complaints.get(tracking_id).privacy is Privacy.CONFIDENTIAL
    assert "privacy_raised" not in story(world, tracking_id)
    assert world.deliver_queued(NOW) == ["sent"]
    to, words = world.sms.sent[-1]
    assert to == SITI
    assert "tetap RAHASIA" in words
    assert len(words) <= 160


def test_the_window_to_raise_it_ends_24_hours_after_the_report(world: World) -> None:
    tracking_id = reported(world)
    assert text(world, f"RAHASIA {tracking_id}", message_id="SM25", minutes=24 * 60) == (
        "privacy_window_closed"
    )
    assert world.complaints.get(tracking_id).privacy is Privacy.ANONYMOUS
    assert world.deliver_queued(NOW) == ["sent"]
    assert "24 jam" in world.sms.sent[-1][1]

    assert text(world, f"RAHASIA {tracking_id}", message_id="SM26", minutes=24 * 60 - 1) == "privacy_raised"


def test_the_window_to_raise_it_ends_when_the_agency_first_acts_on_it(world: World) -> None:
    tracking_id = reported(world)
    world.act(world.complaints.get(tracking_id), "acknowledge", NOW + timedelta(minutes=20))

    assert text(world, f"RAHASIA {tracking_id}", message_id="SM27", minutes=30) == "privacy_window_closed"

    assert world.complaints.get(tracking_id).privacy is Privacy.ANONYMOUS


def test_a_rahasia_the_gateway_sends_again_is_recorded_once_and_confirmed(world: World) -> None:
    tracking_id = reported(world)
    world.notifications.fail()  # the confirmation cannot be queued: the door answers 503
    with pytest.raises(Unavailable):
        text(world, f"RAHASIA {tracking_id}", message_id="SM28", minutes=5)

    assert text(world, f"RAHASIA {tracking_id}", message_id="SM28", minutes=6) == "replayed"

    assert story(world, tracking_id).count("privacy_raised") == 1
    assert world.deliver_queued(NOW) == ["sent"]
    assert "kini RAHASIA" in world.sms.sent[-1][1]


def test_a_text_without_a_message_id_is_not_acted_on(world: World) -> None:
    with pytest.raises(ValueError, match="message ID"):
        text(world, REPORT, message_id="")  # the door answers such a webhook 400 before this

    assert world.complaints.by_reporter(SITI) == []
    assert world.notifications.sent == []


def test_nilai_before_any_response_is_kept_as_a_reply_rather_than_refused(world: World) -> None:
    tracking_id = reported(world)

    assert text(world, f"BALAS {tracking_id} NILAI 5 semoga cepat", message_id="SM29") == "reply"

    assert story(world, tracking_id)[-1] == "commented"
    assert world.complaints.get(tracking_id).rating is None


def test_an_sms_report_is_filed_by_the_stack_s_allowed_countries_not_only_indonesia(world: World) -> None:
    malaysian = "+60123456789"  # a Malaysian mobile: allowed when SmsCountryCodes says 62,60
    assert text(world, REPORT, sender=malaysian, message_id="SM-MY") == "refused"
    assert world.complaints.by_reporter(malaysian) == []
    assert text(world, REPORT, sender=malaysian, message_id="SM-MY", destinations=("62", "60")) == "report"
    assert len(world.complaints.by_reporter(malaysian)) == 1
