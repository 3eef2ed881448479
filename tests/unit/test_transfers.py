"""A late agency cannot dodge escalation by passing a complaint on (issue #21, item 8): a transfer
keeps the escalation level and the deadline it was late against, so the breach stays in the
statistics; and no one "assigns" a complaint to a coordinator or to national as if it were an agency
that follows complaints up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aduan.domain.deadlines import ClockKind, ResponseTrack, Step, extend, start_clock
from aduan.domain.effects import assignment
from aduan.domain.errors import ValidationFailed
from aduan.domain.models import Actor, Complaint, FiledComplaint, Role, Status
from aduan.domain.reference import ReferenceData, load_seed
from aduan.domain.workdays import WorkCalendar
from aduan.operations import ActionRequest, act, statistics
from tests.factories import ASSIGNED_AT, complaint

ROOT = Path(__file__).resolve().parents[2]
JAKARTA = WorkCalendar()
DISDUKCAPIL, PUPR = "kab-tangerang.disdukcapil", "kab-tangerang.pupr"
OPERATOR = Actor(role=Role.OPERATOR, agency_id=DISDUKCAPIL, user_id="op.disdukcapil")
PUPR_OPERATOR = Actor(role=Role.OPERATOR, agency_id=PUPR, user_id="op.pupr")
COORDINATOR = Actor(role=Role.COORDINATOR, agency_id="kab-tangerang", user_id="coord.kab-tangerang")
NATIONAL = Actor(role=Role.NATIONAL, agency_id="kemenpanrb", user_id="admin.nasional")
# Assigned Monday 16 March 2026 10:00 WIB: due Tuesday 24 March (Nyepi and a weekend between).
DUE = datetime(2026, 3, 24, 16, 59, 59, tzinfo=UTC)
THE_DAY_AFTER = datetime(2026, 3, 25, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_seed(ROOT / "infra" / "seed")


class Store:
    """Just enough of a complaint store for one complaint's story."""

    def __init__(self, *complaints: Complaint) -> None:
        self.items = {case.tracking_id: case for case in complaints}

    def get(self, tracking_id: str) -> Complaint:
        return self.items[tracking_id]

    def save(self, changed: Complaint, events: Any, *, next_due_at: Any, **_: Any) -> Complaint:
        saved = changed.model_copy(update={"version": changed.version + 1})
        self.items[saved.tracking_id] = saved
        return saved

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[FiledComplaint]:
        return [
            FiledComplaint.model_validate(case.model_dump())
            for case in self.items.values()
            if case.agency_id == agency_id and case.status is status and start <= case.created_at < end
        ]


class Queue:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None:
        self.sent.append(message)


def late_at_disdukcapil() -> Complaint:
    """Breached on 24 March: the warning and level 1 taken, level 2 still to come."""
    clock = start_clock(ClockKind.RESPONSE, ASSIGNED_AT, JAKARTA)
    assert clock.due_at == DUE
    return complaint(
        status=Status.ASSIGNED,
        agency_id=DISDUKCAPIL,
        coordinator_id="kab-tangerang",
        clock=clock.model_copy(update={"steps_done": (Step.WARNING, Step.LEVEL_1)}),
        escalation_level=1,
    )


def take(store: Store, reference: ReferenceData, actor: Actor, at: datetime, **request: Any) -> Complaint:
    tracking_id = next(iter(store.items))
    return act(
        tracking_id,
        ActionRequest(**request),
        actor,
        complaints=store,  # type: ignore[arg-type]
        reference=reference,
        notifications=Queue(),
        now=at,
    )


def march(store: Store, reference: ReferenceData) -> dict[str, Any]:
    return statistics(
        COORDINATOR,
        complaints=store,  # type: ignore[arg-type]
        reference=reference,
        start=datetime(2026, 3, 1, tzinfo=UTC),
        end=datetime(2026, 4, 1, tzinfo=UTC),
    )


def test_a_late_agency_passing_it_on_keeps_the_level_the_deadline_and_the_breach_in_the_statistics(
    reference: ReferenceData,
) -> None:
    store = Store(late_at_disdukcapil())
    moved = take(store, reference, OPERATOR, THE_DAY_AFTER, action="transfer", agency_id=PUPR)

    assert (moved.agency_id, moved.status) == (PUPR, Status.ASSIGNED)
    assert moved.escalation_level == 1, "a transfer never lowers the level"
    assert moved.clock is not None
    assert moved.clock.due_at == DUE, "the deadline it was late against"
    assert moved.clock.steps_done == (Step.WARNING, Step.LEVEL_1), "no second warning, no level 1 again"
    assert march(store, reference)["escalations_by_level"] == {"1": 1}

    answered = take(
        store, reference, PUPR_OPERATOR, THE_DAY_AFTER + timedelta(days=1), action="respond", text="Sudah."
    )
    assert answered.answered_on_time is False
    assert march(store, reference)["answered_within_deadline"] == 0.0


def test_a_late_agency_returning_it_keeps_the_level_and_the_missed_deadline_for_the_next_agency(
    reference: ReferenceData,
) -> None:
    store = Store(late_at_disdukcapil())
    returned = take(store, reference, OPERATOR, THE_DAY_AFTER, action="return", reason="Bukan wewenang kami")
    assert (returned.agency_id, returned.status) == ("kab-tangerang", Status.NEEDS_TRIAGE)
    assert returned.escalation_level == 1, "a return never lowers the level"
    assert returned.breached_response_due == DUE
    assert march(store, reference)["escalations_by_level"] == {"1": 1}

    reassigned = take(store, reference, COORDINATOR, THE_DAY_AFTER, action="assign", agency_id=PUPR)
    assert reassigned.escalation_level == 1
    answered = take(
        store, reference, PUPR_OPERATOR, THE_DAY_AFTER + timedelta(days=1), action="respond", text="Sudah."
    )
    assert answered.answered_on_time is False, "measured against the deadline Disdukcapil missed"
    assert march(store, reference)["answered_within_deadline"] == 0.0


def test_a_return_in_time_keeps_nothing_against_the_next_agency(reference: ReferenceData) -> None:
    on_time = late_at_disdukcapil().model_copy(update={"escalation_level": 0})
    store = Store(on_time)
    early = ASSIGNED_AT + timedelta(days=1)
    returned = take(store, reference, OPERATOR, early, action="return", reason="Bukan wewenang kami")
    assert returned.breached_response_due is None
    reassigned = take(store, reference, COORDINATOR, early, action="assign", agency_id=PUPR)
    assert reassigned.escalation_level == 0
    assert reassigned.clock is not None
    assert reassigned.clock.started_at == early


def test_a_transfer_while_on_time_keeps_the_running_deadline_rather_than_a_fresh_one(
    reference: ReferenceData,
) -> None:
    clock = start_clock(ClockKind.RESPONSE, ASSIGNED_AT, JAKARTA)
    case = complaint(
        status=Status.IN_PROGRESS, agency_id=DISDUKCAPIL, coordinator_id="kab-tangerang", clock=clock
    )
    effect = assignment(case, PUPR, reference, ASSIGNED_AT + timedelta(days=3), "transfer:x:v1")
    assert effect.changes["clock"] == clock
    assert effect.changes["escalation_level"] == 0
    assert effect.data["deadline_kept"] is True


def test_a_transfer_of_an_extended_clock_gets_a_fresh_one_when_that_falls_due_sooner(
    reference: ReferenceData,
) -> None:
    # Disdukcapil said a field examination was needed (60 working days); PUPR did not.
    extended = extend(
        start_clock(ClockKind.RESPONSE, ASSIGNED_AT, JAKARTA), ResponseTrack.FIELD_EXAM, JAKARTA
    )
    case = complaint(
        status=Status.IN_PROGRESS,
        agency_id=DISDUKCAPIL,
        coordinator_id="kab-tangerang",
        clock=extended,
        escalation_level=1,
    )
    effect = assignment(case, PUPR, reference, THE_DAY_AFTER, "transfer:x:v2")
    clock = effect.changes["clock"]
    assert clock.track is ResponseTrack.STANDARD
    assert extended.due_at is not None
    assert clock.due_at < extended.due_at
    assert effect.changes["escalation_level"] == 1
    assert "deadline_kept" not in effect.data


def test_a_first_assignment_starts_a_fresh_response_clock_at_level_0(reference: ReferenceData) -> None:
    # The coordinator was late verifying (level 2 on the verification clock): the agency starts clean.
    verification = start_clock(ClockKind.VERIFICATION, ASSIGNED_AT, JAKARTA)
    case = complaint(
        status=Status.NEEDS_TRIAGE, agency_id="kab-tangerang", clock=verification, escalation_level=2
    )
    effect = assignment(case, DISDUKCAPIL, reference, THE_DAY_AFTER, "verify:x:v3")
    assert effect.changes["clock"].kind is ClockKind.RESPONSE
    assert effect.changes["clock"].started_at == THE_DAY_AFTER
    assert effect.changes["escalation_level"] == 0


@pytest.mark.parametrize(
    ("actor", "action", "status", "target"),
    [
        (OPERATOR, "transfer", Status.ASSIGNED, "kab-tangerang"),  # its own coordinator
        (OPERATOR, "transfer", Status.IN_PROGRESS, "kemenpanrb"),
        (COORDINATOR, "transfer", Status.ASSIGNED, "kab-tangerang"),  # itself
        (COORDINATOR, "assign", Status.NEEDS_TRIAGE, "kab-tangerang"),
        (NATIONAL, "verify", Status.NEEDS_TRIAGE, "prov-banten"),
        (NATIONAL, "assign", Status.SUBMITTED, "kemenpanrb"),
    ],
)
def test_no_one_hands_a_complaint_to_a_coordinator_or_national_as_if_it_were_an_agency(
    reference: ReferenceData, actor: Actor, action: str, status: Status, target: str
) -> None:
    held_by = DISDUKCAPIL if status in (Status.ASSIGNED, Status.IN_PROGRESS) else "kab-tangerang"
    case = late_at_disdukcapil().model_copy(update={"status": status, "agency_id": held_by})
    store = Store(case)
    with pytest.raises(ValidationFailed) as refused:
        take(store, reference, actor, THE_DAY_AFTER, action=action, agency_id=target)
    assert refused.value.problems == [("agency_id", "not_an_agency", {})]
    assert store.get(case.tracking_id) == case, "nothing written"
