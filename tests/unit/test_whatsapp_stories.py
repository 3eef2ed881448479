"""A citizen by WhatsApp: texts mean what they mean by SMS, answers go back by WhatsApp (free text
inside the 24-hour window, an approved template outside it, SMS when WhatsApp refuses for good),
each message is acted on once, and a message Aduan cannot read is answered, never stuck."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from aduan.attachment import process_upload
from aduan.domain.errors import MediaUnavailable
from aduan.domain.models import Channel
from aduan.domain.notifications import Channel as NotificationChannel
from aduan.domain.tracking import display_form
from aduan.domain.whatsapp_messages import DeliveryStatus, InboundMessage, Media, SharedPlace
from aduan.doors import whatsapp
from tests.factories import ASSIGNED_AT
from tests.unit.test_evidence_stories import jpeg
from tests.unit.world import DISDUKCAPIL, World, templates

NOW = ASSIGNED_AT
SITI_WA = "6281234567890"  # how WhatsApp names Siti: her number's digits
SITI = f"+{SITI_WA}"
HIDDEN = "ID.1502576394655843"  # a business-scoped user ID: someone whose number WhatsApp hides
REPORT = "KTP elektronik saya belum jadi padahal sudah rekam di Kecamatan Cikupa bulan Desember."


@pytest.fixture
def world() -> World:
    return World()


def wa(
    text: str, message_id: str = "wamid.1", sender: str = SITI_WA, minutes: int = 0, **fields: object
) -> InboundMessage:
    phone = f"+{sender}" if sender.isdigit() else None
    at = NOW + timedelta(minutes=minutes)
    return InboundMessage(
        message_id=message_id,
        sender=sender,
        phone=phone,
        kind=str(fields.pop("kind", "text")),
        text=text,
        sent_at=at,
        **fields,
    )  # type: ignore[arg-type]


def reported(world: World, sender: str = SITI_WA) -> str:
    """A WhatsApp report, routed to its agency, and every message of the way delivered."""
    assert world.message(wa(REPORT, sender=sender), NOW) == "report"
    tracking_id: str = world.routing.sent[-1]["tracking_id"]
    world.route(tracking_id, NOW)
    world.deliver_queued(NOW)
    return tracking_id


def test_a_whatsapp_text_files_a_report_answered_by_whatsapp(world: World) -> None:
    tracking_id = reported(world)

    complaint = world.complaints.get(tracking_id)
    assert (complaint.channel, complaint.reporter.whatsapp, complaint.reporter.phone) == (
        Channel.WHATSAPP,
        SITI_WA,
        SITI,
    )
    assert complaint.agency_id == DISDUKCAPIL
    assert templates(world.queued())[:2] == [("received", "citizen"), ("assigned", "citizen")]
    assert {n.channel for n in world.queued() if n.recipient == "citizen"} == {NotificationChannel.WHATSAPP}
    texts = [sent for sent in world.whatsapp.sent if sent[0] == "text"]
    assert [to for _, to, _ in texts] == [SITI_WA, SITI_WA]
    assert display_form(tracking_id) in texts[0][2]
    assert "Kode akses" in texts[0][2]
    assert [to for to, _ in world.sms.sent if to == SITI] == []  # nothing by SMS: she wrote by WhatsApp


def test_the_same_message_delivered_three_times_files_one_report_and_answers_once(world: World) -> None:
    outcomes = [world.message(wa(REPORT), NOW + timedelta(seconds=n)) for n in range(3)]

    assert outcomes == ["report", "replayed", "replayed"]
    assert len(world.routing.sent) == 1
    assert len(world.complaints.by_reporter(SITI)) == 1
    world.deliver_queued(NOW)
    assert len(world.whatsapp.sent) == 1


def test_a_redelivery_a_week_later_still_changes_nothing(world: World) -> None:
    world.message(wa(REPORT), NOW)

    assert world.message(wa(REPORT), NOW + timedelta(days=7)) == "replayed"
    assert len(world.routing.sent) == 1


def test_cek_by_whatsapp_answers_by_whatsapp(world: World) -> None:
    tracking_id = reported(world)

    assert world.message(wa(f"CEK {display_form(tracking_id)}", "wamid.2", minutes=5), NOW) == "status"
    world.deliver_queued(NOW + timedelta(minutes=5))
    kind, to, body = world.whatsapp.sent[-1]
    assert (kind, to) == ("text", SITI_WA)
    assert display_form(tracking_id) in body


def test_cek_of_someone_elses_report_from_another_whatsapp_user_learns_nothing(world: World) -> None:
    tracking_id = reported(world)
    stranger = "6285799998888"

    assert (
        world.message(wa(f"CEK {display_form(tracking_id)}", "wamid.2", sender=stranger), NOW) == "not_found"
    )
    world.deliver_queued(NOW)
    kind, to, body = world.whatsapp.sent[-1]
    assert (kind, to) == ("text", stranger)
    assert "tidak ditemukan" in body
    assert "Dinas" not in body
    assert "Batas" not in body


def test_a_user_whose_number_is_hidden_reports_and_checks_by_their_whatsapp_id(world: World) -> None:
    tracking_id = reported(world, sender=HIDDEN)

    complaint = world.complaints.get(tracking_id)
    assert (complaint.reporter.whatsapp, complaint.reporter.phone) == (HIDDEN, None)
    assert world.message(wa("CEK", "wamid.2", sender=HIDDEN), NOW) == "status"
    world.deliver_queued(NOW)
    assert world.whatsapp.sent[-1][1] == HIDDEN
    assert display_form(tracking_id) in world.whatsapp.sent[-1][2]


def test_a_response_25_hours_after_the_last_message_goes_as_an_approved_template(world: World) -> None:
    tracking_id = reported(world)
    later = NOW + timedelta(hours=25)
    complaint = world.act(world.complaints.get(tracking_id), "acknowledge", later)

    world.act(complaint, "respond", later, text="KTP Anda sudah jadi, silakan ambil di kantor kecamatan.")
    world.deliver_queued(later)

    kind, to, name, language, parameters = world.whatsapp.sent[-1]
    assert (kind, to, name, language) == ("template", SITI_WA, "aduan_laporan_ditanggapi", "id")
    assert parameters[0] == display_form(tracking_id)
    assert "sudah jadi" in parameters[2]


def test_outside_the_window_a_notification_without_a_template_goes_by_sms(world: World) -> None:
    tracking_id = reported(world)
    later = NOW + timedelta(hours=30)
    world.act(world.complaints.get(tracking_id), "request_info", later, text="Mohon kirim nomor pendaftaran.")

    assert world.deliver_queued(later) == ["sent"]
    assert [sent[1] for sent in world.whatsapp.sent if sent[0] == "template"] == [
        SITI_WA
    ]  # info_requested has one
    # A status answer has no template: a CEK answered after a day's backlog goes by SMS.
    world.message(wa("CEK", "wamid.late", minutes=-60 * 30), later)
    world.deliver_queued(later)
    assert world.sms.sent[-1][0] == SITI


def test_a_number_no_longer_on_whatsapp_gets_sms_instead_once(world: World) -> None:
    tracking_id = reported(world)
    world.whatsapp.fail("whatsapp 131026", permanent=True)
    world.act(world.complaints.get(tracking_id), "acknowledge", NOW)
    world.act(world.complaints.get(tracking_id), "respond", NOW, text="KTP Anda sudah jadi.")

    world.sms.sent.clear()  # the agency's own texts of the way
    world.deliver_queued(NOW)

    assert [to for to, _ in world.sms.sent] == [SITI]
    outcomes = [e.data["outcome"] for e in world.complaints.timeline(tracking_id) if e.type == "notification"]
    assert "sent: sms instead of whatsapp (whatsapp 131026)" in outcomes
    world.deliver_queued(NOW)  # nothing left to send again
    assert len(world.sms.sent) == 1


def test_a_rate_limit_is_retried_on_whatsapp_not_sent_by_sms(world: World) -> None:
    world.message(wa(REPORT), NOW)
    world.whatsapp.fail("whatsapp 130429", permanent=False)

    with pytest.raises(Exception, match="130429"):
        world.deliver_queued(NOW)
    assert world.sms.sent == []


@pytest.mark.parametrize("kind", ["sticker", "audio", "video", "contacts", "reaction", "unsupported"])
def test_a_message_aduan_cannot_read_is_answered_politely_and_files_nothing(world: World, kind: str) -> None:
    assert world.message(wa("", kind=kind), NOW) == f"unreadable:{kind}"

    assert world.routing.sent == []
    world.deliver_queued(NOW)
    [(sent, to, body)] = world.whatsapp.sent
    assert (sent, to) == ("text", SITI_WA)
    assert "tidak bisa kami baca" in body
    assert world.message(wa("", kind=kind), NOW) == "replayed"


def photo(world: World, media_id: str = "2754859441498128", body: bytes | None = None) -> Media:
    """A photo Meta holds for us, as the webhook names it."""
    world.media.add(media_id, body if body is not None else jpeg(), "image/jpeg")
    return Media(media_id=media_id, mime_type="image/jpeg", sha256="")


def checked(world: World, tracking_id: str) -> list[str]:
    """The attachment worker on every object in quarantine; the complaint's attachments' states."""
    for key in [key for key in world.bucket.objects if key.startswith("quarantine/")]:
        process_upload(
            key,
            len(world.bucket.objects[key][0]),
            complaints=world.complaints,
            reference=world.reference,
            bucket=world.bucket,
            now=NOW,
        )
    return [attachment.state.value for attachment in world.complaints.get(tracking_id).attachments]


def test_a_photo_captioned_balas_id_adds_evidence_to_the_senders_report(world: World) -> None:
    tracking_id = reported(world)
    caption = f"BALAS {display_form(tracking_id)}"

    outcome = world.message(wa(caption, "wamid.2", kind="image", media=photo(world)), NOW)

    assert outcome == "file"
    assert checked(world, tracking_id) == ["added"]
    world.deliver_queued(NOW)
    kind, to, body = world.whatsapp.sent[-1]
    assert (kind, to) == ("text", SITI_WA)
    assert "diterima" in body
    assert display_form(tracking_id) in body


def test_a_photo_with_a_report_as_caption_files_the_report_with_it(world: World) -> None:
    assert world.message(wa(REPORT, kind="image", media=photo(world)), NOW) == "file"

    [tracking_id] = world.complaints.by_reporter(SITI)
    assert world.complaints.get(tracking_id).description == REPORT
    assert checked(world, tracking_id) == ["added"]


def test_the_same_photo_delivered_twice_is_one_attachment(world: World) -> None:
    tracking_id = reported(world)
    message = wa(f"BALAS {display_form(tracking_id)}", "wamid.2", kind="image", media=photo(world))

    world.message(message, NOW)
    world.conversations.acted_on.clear()  # as if the worker died before remembering it
    world.message(message, NOW + timedelta(seconds=30))

    assert checked(world, tracking_id) == ["added"]


def test_a_photo_for_someone_elses_report_is_not_found_and_fetches_nothing(world: World) -> None:
    tracking_id = reported(world)
    stranger = "6285799998888"

    caption = f"BALAS {display_form(tracking_id)}"
    assert (
        world.message(wa(caption, "wamid.2", sender=stranger, kind="image", media=photo(world)), NOW)
        == "file:not_found"
    )
    assert world.media.fetched == []
    assert world.complaints.get(tracking_id).attachments == ()


@pytest.mark.parametrize("caption", ["", "foto", "CEK"])
def test_a_photo_without_a_report_or_balas_gets_a_hint_and_is_never_fetched(
    world: World, caption: str
) -> None:
    assert world.message(wa(caption, kind="image", media=photo(world)), NOW) == "file:caption_needed"

    assert world.media.fetched == []
    assert world.routing.sent == []
    world.deliver_queued(NOW)
    assert "keterangan" in world.whatsapp.sent[-1][2]


def test_a_file_meta_no_longer_holds_is_answered_and_a_timeout_is_retried(world: World) -> None:
    tracking_id = reported(world)
    caption = f"BALAS {display_form(tracking_id)}"
    world.media.fail("HTTP 503", permanent=False)

    with pytest.raises(MediaUnavailable):
        world.message(wa(caption, "wamid.2", kind="image", media=photo(world)), NOW)
    assert not world.conversations.seen("wamid.2")  # the queue brings it back
    gone = Media(media_id="404", mime_type="image/jpeg", sha256="")
    assert (
        world.message(wa(caption, "wamid.3", kind="image", media=gone), NOW)
        == "file:unavailable:whatsapp 100"
    )


def test_a_sixth_file_is_refused_politely(world: World) -> None:
    tracking_id = reported(world)
    caption = f"BALAS {display_form(tracking_id)}"
    outcomes = [
        world.message(wa(caption, f"wamid.f{n}", kind="image", media=photo(world, str(n))), NOW)
        for n in range(6)
    ]

    assert outcomes == ["file"] * 5 + ["file:refused:validation_failed"]
    world.deliver_queued(NOW)
    assert "tidak bisa kami terima" in world.whatsapp.sent[-1][2]


def status(message_id: str, state: str, minutes: int, *codes: int) -> DeliveryStatus:
    return DeliveryStatus(
        message_id=message_id, status=state, at=NOW + timedelta(minutes=minutes), error_codes=codes
    )


def whatsapp_events(world: World, tracking_id: str) -> list[str]:
    return [
        str(event.data["outcome"])
        for event in world.complaints.timeline(tracking_id)
        if event.type == "notification" and str(event.data["outcome"]).startswith("whatsapp ")
    ]


def test_delivered_and_read_become_delivery_events_and_a_late_delivered_changes_nothing(world: World) -> None:
    tracking_id = reported(world)
    receipt, _assigned = world.conversations.outgoing  # what Aduan sent, by Meta's message ID

    assert world.message(status(receipt, "sent", 1), NOW) == "status:sent"
    assert world.message(status(receipt, "read", 2), NOW) == "status:read"
    assert world.message(status(receipt, "delivered", 1), NOW) == "status:delivered:unchanged"
    assert world.message(status(receipt, "read", 2), NOW) == "status:read:unchanged"  # a redelivery
    assert whatsapp_events(world, tracking_id) == ["whatsapp sent", "whatsapp read"]


def test_a_later_failure_no_retry_cures_sends_the_notification_by_sms_once(world: World) -> None:
    tracking_id = reported(world)
    _receipt, assigned = world.conversations.outgoing
    world.sms.sent.clear()

    assert world.message(status(assigned, "failed", 3, 131026), NOW) == "status:failed:by_sms"
    assert world.message(status(assigned, "failed", 3, 131026), NOW) == "status:failed:unchanged"
    world.deliver_queued(NOW)

    [(to, text)] = world.sms.sent
    assert to == SITI
    assert "diteruskan" in text
    assert display_form(tracking_id) in text
    assert whatsapp_events(world, tracking_id) == ["whatsapp failed (131026)"]


def test_a_receipt_failing_later_is_recorded_never_resent_without_its_code(world: World) -> None:
    reported(world)
    receipt, _assigned = world.conversations.outgoing
    world.sms.sent.clear()

    assert world.message(status(receipt, "failed", 3, 131026), NOW) == "status:failed"
    assert world.sms.sent == []
    assert "access_code" not in str(world.conversations.outgoing[receipt])  # nothing kept the code


def test_a_status_of_a_message_aduan_never_sent_changes_nothing(world: World) -> None:
    assert world.message(status("wamid.other", "read", 1), NOW) == "status:read:unchanged"
    assert world.message(status("wamid.other", "deleted", 1), NOW) == "status:deleted:unchanged"


NO_PLACE = "Jalan di depan rumah saya berlubang besar sudah sebulan, motor sering jatuh di situ."


def test_a_report_that_names_no_place_is_asked_once_and_the_district_completes_it(world: World) -> None:
    assert world.message(wa(NO_PLACE), NOW) == "asked_place"
    assert world.routing.sent == []
    world.deliver_queued(NOW)
    assert "Di mana lokasinya?" in world.whatsapp.sent[-1][2]

    assert world.message(wa("Desa Bitung, Kecamatan Cikupa", "wamid.2", minutes=3), NOW) == "report:placed"

    [tracking_id] = world.complaints.by_reporter(SITI)
    complaint = world.complaints.get(tracking_id)
    assert (complaint.description, complaint.location.address) == (NO_PLACE, "Desa Bitung, Kecamatan Cikupa")
    assert world.route(tracking_id, NOW).complaint.location.region_code == "36.03.18"  # Cikupa


def test_a_shared_location_answers_where_with_its_coordinates(world: World) -> None:
    world.message(wa(NO_PLACE), NOW)
    place = SharedPlace(lat=-6.2291, lon=106.5147, name="Pasar Cikupa")

    assert world.message(wa("", "wamid.2", kind="location", place=place), NOW) == "report:placed"

    [tracking_id] = world.complaints.by_reporter(SITI)
    location = world.complaints.get(tracking_id).location
    assert (location.lat, location.lon, location.address) == (-6.2291, 106.5147, "Pasar Cikupa")


def test_no_answer_in_half_an_hour_files_the_report_without_a_place(world: World) -> None:
    world.message(wa(NO_PLACE), NOW)
    [due] = world.whatsapp_queue.receive()
    assert world.whatsapp_queue.delays == [900]  # SQS's longest delay: it comes back twice
    item = whatsapp.read_item(json.dumps(due))

    assert world.message(item, NOW + timedelta(minutes=15)) == "draft:waiting"
    assert world.whatsapp_queue.delays[-1] == 900
    assert world.message(item, NOW + timedelta(minutes=30)) == "report:unplaced"

    [tracking_id] = world.complaints.by_reporter(SITI)
    assert world.complaints.get(tracking_id).location.address is None
    assert world.message(item, NOW + timedelta(minutes=31)) == "draft:filed_before"  # a redelivery
    assert len(world.complaints.by_reporter(SITI)) == 1


def test_an_answer_after_the_wait_is_a_message_of_its_own_and_the_report_is_filed_once(world: World) -> None:
    world.message(wa(NO_PLACE), NOW)
    [due] = world.whatsapp_queue.receive()
    world.message(whatsapp.read_item(json.dumps(due)), NOW + timedelta(minutes=31))

    assert world.message(wa("CEK", "wamid.2", minutes=32), NOW) == "status"  # no draft waits now
    assert len(world.complaints.by_reporter(SITI)) == 1


def test_a_command_while_a_report_waits_is_a_command_and_the_report_still_waits(world: World) -> None:
    world.message(wa(NO_PLACE), NOW)

    assert world.message(wa("CEK", "wamid.2"), NOW) == "not_found"
    assert world.conversations.draft(SITI_WA, NOW) is not None


def test_a_location_with_no_report_waiting_is_answered(world: World) -> None:
    place = SharedPlace(lat=-6.2291, lon=106.5147)
    assert world.message(wa("", kind="location", place=place), NOW) == "location:alone"
    assert world.routing.sent == []
