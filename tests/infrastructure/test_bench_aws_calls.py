"""bench/aws_calls.py's expectation (STORY: who must be told what at each step of bench/story.py)
is the code's: the same story walked through the use cases (against the fakes, in milliseconds)
queues exactly the notifications the table names, step by step; so the "minimum the design needs"
cannot drift from the effects table silently, and it is never copied from a measurement."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aduan.citizen import FollowUp
from aduan.domain.notifications import Notification
from aduan.escalation import escalate
from tests.factories import ASSIGNED_AT
from tests.unit.world import World

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import aws_calls

PHONE = "+6281299001122"

Told = list[tuple[str, str, str]]


def walk_the_story() -> list[Told]:
    """bench/story.py's story through the use cases; what each step queued, in order."""
    world = World()
    clock = iter(ASSIGNED_AT + timedelta(hours=n) for n in range(100))
    ids: dict[str, str] = {}

    def later() -> datetime:
        now = next(clock)
        world.complaints.now = lambda: now
        return now

    def queued_by(step: Callable[[datetime], Any]) -> Told:
        before = len(world.notifications.sent)
        now = later()
        step(now)
        told = [Notification.model_validate(m) for m in world.notifications.sent[before:]]
        world.deliver_queued(now)
        return [(n.template, n.recipient, n.channel.value) for n in told]

    def text(body: str, sid: str) -> Callable[[datetime], Any]:
        return lambda now: world.text(PHONE, body, sid, now)

    def route(now: datetime) -> None:
        for message in world.routing.receive():
            world.route(message["tracking_id"], now)

    def act(action: str, **fields: Any) -> Callable[[datetime], Any]:
        return lambda now: world.act(world.complaints.get(ids["tracking"]), action, now, **fields)

    def reply(request: FollowUp) -> Callable[[datetime], Any]:
        return lambda now: world.follow_up(ids["tracking"], ids["code"], request, now)

    def close(_now: datetime) -> None:
        window = world.complaints.get(ids["tracking"]).clock
        assert window is not None
        assert window.due_at is not None
        steps = escalate(
            ids["tracking"],
            window.due_at,
            complaints=world.complaints,
            reference=world.reference,
            notifications=world.notifications,
            routing=world.routing,
        ).steps
        assert steps == ["auto_close"]

    told = [queued_by(text("KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa", "SMbench1"))]
    [received] = [t for to, t in world.sms.sent if to == PHONE and "diterima" in t]
    ids["tracking"] = received.split("laporan ")[1].split(" ")[0].replace("-", "")
    ids["code"] = received.split("Kode akses: ")[1].split(" ")[0]
    display = f"{ids['tracking'][:5]}-{ids['tracking'][5:]}"
    for step in (
        route,
        act("acknowledge"),
        act("request_info", text="Mohon kirim nomor registrasi perekaman e-KTP.", confirm=True),
        text(f"BALAS {display} nomor registrasinya 3603-2026-0001", "SMbench2"),
        act("respond", text="KTP sudah dicetak, silakan ambil di kecamatan."),
        reply(FollowUp(kind="reopen", text="Saya ke kecamatan tapi KTP belum ada.")),
        act("respond", text="Mohon maaf, KTP sudah dikirim ke kecamatan hari ini."),
        reply(FollowUp(kind="rate", rating=4)),
        close,
    ):
        told.append(queued_by(step))
    assert world.complaints.get(ids["tracking"]).status.value == "closed"
    return told


def test_the_bench_expects_what_the_use_cases_send_step_by_step() -> None:
    walked = walk_the_story()
    table = [list(step.told) for step in aws_calls.STORY]
    assert len(walked) == len(table)
    for step, got, want in zip(aws_calls.STORY, walked, table, strict=True):
        assert sorted(got) == sorted(want), step.name


def test_the_minimum_is_written_from_the_table_alone() -> None:
    need = aws_calls.minimum()
    # Seven texts to the citizen, the agency's number and email twice each (assigned, reopened).
    assert aws_calls.expected()["citizen_sms"] == 7
    assert need["sns.Publish"][0] == 9
    assert need["sesv2.SendEmail"][0] == 2
    assert need["dynamodb.UpdateItem"][0] == 11
    assert need["dynamodb.PutItem"][0] == 22
    assert need["dynamodb.TransactWriteItems"][0] == 10
    assert need["sqs.SendMessage"][0] == 9
    assert need["dynamodb.GetItem"][0] == 10 - 1 - 4 + 7 + 1
    assert need["dynamodb.DeleteItem"][0] == 1


def test_a_run_that_sends_a_text_twice_or_drops_one_is_a_mismatch() -> None:
    """The comparison with a run: the same counts pass, one text more or one fewer does not."""
    need = aws_calls.expected()
    calls = {name: floor * 2 for name, (floor, _why) in aws_calls.minimum().items()}
    delivered = {"citizen_sms": 14, "agency_sms": 4, "agency_email": 4, "other": 0}
    counts = {"functions": {"F": {"invocations": 2, "billed_ms": 1, "memory_mb": 128, "calls": calls}}}
    result = {"stories": 2, "counts": counts | {"event_source_mappings": {}, "api_requests": {}}}
    assert need["citizen_sms"] * 2 == delivered["citizen_sms"]
    assert aws_calls.mismatches(result | {"delivered": delivered}) == []
    twice = delivered | {"citizen_sms": 15}
    assert aws_calls.mismatches(result | {"delivered": twice}) == [
        "citizen_sms: expected 7, delivered 7.5 per complaint"
    ]
    dropped = delivered | {"agency_email": 3}
    assert aws_calls.mismatches(result | {"delivered": dropped}) == [
        "agency_email: expected 2, delivered 1.5 per complaint"
    ]
    more = {"F": counts["functions"]["F"] | {"calls": calls | {"sns.Publish": 19}}}
    one_sms_more = result | {"counts": result["counts"] | {"functions": more}}
    assert aws_calls.mismatches(one_sms_more | {"delivered": delivered}) == [
        "sns.Publish: 9.5 per complaint, the story needs 9"
    ]
