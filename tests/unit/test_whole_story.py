"""One complaint from the first text message to closed: every use case in turn, each message once."""

from __future__ import annotations

from datetime import datetime, timedelta

from aduan.citizen import FollowUp
from aduan.escalation import escalate
from tests.factories import ASSIGNED_AT
from tests.unit.world import World, story

PHONE = "+6281277009988"


def test_a_whole_story_from_the_first_text_to_closed_tells_each_thing_once() -> None:
    world = World()
    clock = iter(ASSIGNED_AT + timedelta(hours=n) for n in range(100))

    def later() -> datetime:
        now = next(clock)
        world.complaints.now = lambda: now
        return now

    def text(body: str, sid: str) -> str:
        now = later()
        outcome = world.text(PHONE, body, sid, now)
        for routing in world.routing.receive():
            world.route(routing["tracking_id"], now, resend_outbox=bool(routing.get("outbox")))
        world.deliver_queued(now)
        return outcome

    def act(action: str, **fields: str) -> str:
        now = later()
        done = world.act(world.complaints.get(tracking_id), action, now, **fields)
        world.deliver_queued(now)
        return done.status.value

    def reply(request: FollowUp) -> str:
        now = later()
        done = world.follow_up(tracking_id, access_code, request, now)
        world.deliver_queued(now)
        return done.status.value

    assert text("KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa", "SMstory1") == "report"
    [received] = [t for to, t in world.sms.sent if to == PHONE and "diterima" in t]
    tracking_id = received.split("laporan ")[1].split(" ")[0].replace("-", "")
    access_code = received.split("Kode akses: ")[1].split(" ")[0]
    assert world.complaints.get(tracking_id).agency_id == "kab-tangerang.disdukcapil"

    assert act("acknowledge") == "in_progress"
    assert act("request_info", text="Kapan dan di kecamatan mana Anda merekam?") == "waiting_on_citizen"
    assert text(
        f"BALAS {tracking_id[:5]}-{tracking_id[5:]} nomor registrasinya 3603-2026-0001", "SMstory2"
    ) == ("reply")
    assert act("respond", text="KTP sudah dicetak, silakan ambil di kecamatan.") == "responded"
    assert reply(FollowUp(kind="reopen", text="Saya ke kecamatan tapi KTP belum ada.")) == "in_progress"
    assert act("respond", text="Mohon maaf, KTP sudah dikirim ke kecamatan hari ini.") == "responded"
    assert reply(FollowUp(kind="rate", rating=4)) == "responded"
    window = world.complaints.get(tracking_id).clock
    assert window is not None
    assert window.due_at is not None
    escalated = escalate(
        tracking_id,
        window.due_at,
        complaints=world.complaints,
        reference=world.reference,
        notifications=world.notifications,
        routing=world.routing,
    )
    world.deliver_queued(window.due_at)

    assert escalated.steps == ["auto_close"]
    assert story(world, tracking_id) == [
        "submitted", "assigned", "acknowledged", "info_requested", "info_provided", "responded",
        "reopened", "responded", "rated", "closed",
    ]  # fmt: skip
    assert world.complaints.get(tracking_id).rating == 4
    texts = [t for to, t in world.sms.sent if to == PHONE]
    markers = ("Kode akses", ": diteruskan ke", "minta info", "balasan Anda", "sudah menanggapi", "ditutup")
    assert {marker: sum(marker in t for t in texts) for marker in markers} == {
        "Kode akses": 1,  # the acknowledgement
        ": diteruskan ke": 1,
        "minta info": 1,
        "balasan Anda": 1,
        "sudah menanggapi": 2,  # two responses, each told once
        "ditutup": 1,
    }
    assert len(texts) == 7
    assert all(len(t) <= 160 for t in texts)
