"""Privacy chosen by text: the keyword a report opens with, the command that raises it later, the
window it may be raised in, and a gateway's webhook that lacks the ID that makes a text count once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from aduan.domain import privacy, sms_commands
from aduan.domain.errors import Forbidden, MalformedRequest, PrivacyNotRaised
from aduan.domain.lifecycle import Action, apply
from aduan.domain.models import Actor, Complaint, Privacy, Role, Status, TimelineEvent
from aduan.domain.sms_commands import PrivacyChange, Report
from aduan.domain.tracking import ALPHABET, display_form, problem
from aduan.doors.twilio import inbound, twilio_signature
from tests.factories import ASSIGNED_AT, complaint

ID = next(f"K7MX4RPA2{check}" for check in ALPHABET if problem(f"K7MX4RPA2{check}") is None)
SHOWN = display_form(ID)  # K7MX4-RPA27, as the receipt shows it
TYPO = SHOWN[:-1] + next(c for c in ALPHABET if c != ID[-1])
REPORT = "Pak lurah minta uang Rp50.000 untuk surat pindah di Kecamatan Cikupa."
URL = "https://sms.example.id/sms/inbound"
TOKEN = "local-sms-token"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("RAHASIA " + REPORT, Privacy.CONFIDENTIAL),
        ("rahasia: " + REPORT, Privacy.CONFIDENTIAL),
        ("  #Rahasia, " + REPORT, Privacy.CONFIDENTIAL),
        ("*RAHASIA*! " + REPORT, Privacy.CONFIDENTIAL),
        ("ANONIM " + REPORT, Privacy.ANONYMOUS),
        ("anonym - " + REPORT, Privacy.ANONYMOUS),
        ("Anonymous " + REPORT, Privacy.ANONYMOUS),
        ("PUBLIK " + REPORT, Privacy.PUBLIC),
        ("Umum. " + REPORT, Privacy.PUBLIC),
    ],
)
def test_a_report_opening_with_a_keyword_has_that_level_and_loses_the_keyword(
    text: str, level: Privacy
) -> None:
    assert sms_commands.parse(text) == Report(REPORT, level)


@pytest.mark.parametrize(
    "text",
    [
        REPORT,
        "Rahasiakan nama saya: " + REPORT,  # a longer word is not the keyword
        "Umumnya pelayanan di kecamatan lambat, antre sejak subuh tetap tidak dilayani.",
        "Saya mau lapor secara rahasia: " + REPORT,  # only at the start
    ],
)
def test_a_report_without_a_keyword_at_its_start_names_no_level(text: str) -> None:
    assert sms_commands.parse(text) == Report(text, None)


@pytest.mark.parametrize(
    ("text", "change"),
    [
        (f"RAHASIA {SHOWN}", PrivacyChange(SHOWN, Privacy.CONFIDENTIAL)),
        (
            f"rahasia {ID[:5].lower()} {ID[5:].lower()}.",
            PrivacyChange(f"{ID[:5]} {ID[5:]}".lower(), Privacy.CONFIDENTIAL),
        ),
        (f"Anonim: {ID}", PrivacyChange(ID, Privacy.ANONYMOUS)),
        ("RAHASIA", PrivacyChange(None, Privacy.CONFIDENTIAL)),
        ("rahasia!", PrivacyChange(None, Privacy.CONFIDENTIAL)),
        (f"PUBLIK {SHOWN}", PrivacyChange(SHOWN, Privacy.PUBLIC)),
        # A typo in the ID is still a change: the answer says which character to check.
        (f"RAHASIA {TYPO}", PrivacyChange(TYPO, Privacy.CONFIDENTIAL)),
        # A valid ID followed by words is a change, not a new report about the ID.
        (
            f"RAHASIA {SHOWN} tolong nomor saya jangan sampai diketahui petugas",
            PrivacyChange(SHOWN, Privacy.CONFIDENTIAL),
        ),
    ],
)
def test_a_keyword_with_an_id_or_alone_asks_to_change_the_level(text: str, change: PrivacyChange) -> None:
    assert sms_commands.parse(text) == change


def test_a_report_whose_first_words_look_like_an_id_is_still_a_report() -> None:
    text = "Warga resah, jalan desa rusak parah sejak banjir bulan lalu."
    assert sms_commands.parse("RAHASIA " + text) == Report(text, Privacy.CONFIDENTIAL)


@pytest.mark.parametrize("text", ["RAHASIA jalan rusak", "RAHASIA jalan rusak parah"])
def test_a_keyword_with_too_little_text_gets_help(text: str) -> None:
    assert sms_commands.parse(text) == sms_commands.Help("too_short")


def test_the_commands_come_before_the_keywords() -> None:
    assert sms_commands.parse("CEK K7MX4-RPA27") == sms_commands.Check("K7MX4-RPA27")
    assert sms_commands.parse("BALAS K7MX4-RPA27 rahasia ya") == sms_commands.Reply(
        "K7MX4-RPA27", "rahasia ya"
    )


def test_a_message_report_naming_no_level_is_anonymous() -> None:
    assert privacy.MESSAGE_DEFAULT is Privacy.ANONYMOUS
    assert privacy.MESSAGE_DEFAULT.hides_identity_from_agency


# -- raising it later -----------------------------------------------------------------------------

OPERATOR = Actor(role=Role.OPERATOR, agency_id="kab-tangerang.disdukcapil", user_id="op.disdukcapil")


def assigned(level: Privacy = Privacy.ANONYMOUS) -> tuple[Complaint, list[TimelineEvent]]:
    case = complaint(privacy=level, status=Status.ASSIGNED, agency_id="kab-tangerang.disdukcapil")
    timeline = [
        TimelineEvent(at=ASSIGNED_AT, type="submitted", actor=Actor(role=Role.CITIZEN)),
        TimelineEvent(at=ASSIGNED_AT, type="assigned", actor=Actor(role=Role.SYSTEM)),  # routing
    ]
    return case, timeline


@pytest.mark.parametrize(
    ("current", "requested", "allowed"),
    [
        (Privacy.PUBLIC, Privacy.ANONYMOUS, True),
        (Privacy.PUBLIC, Privacy.CONFIDENTIAL, True),
        (Privacy.ANONYMOUS, Privacy.CONFIDENTIAL, True),
        (Privacy.ANONYMOUS, Privacy.ANONYMOUS, False),
        (Privacy.ANONYMOUS, Privacy.PUBLIC, False),
        (Privacy.CONFIDENTIAL, Privacy.ANONYMOUS, False),
        (Privacy.CONFIDENTIAL, Privacy.PUBLIC, False),
    ],
)
def test_privacy_is_only_ever_raised(current: Privacy, requested: Privacy, allowed: bool) -> None:
    case, timeline = assigned(current)
    if allowed:
        privacy.check_raise(case, timeline, requested, ASSIGNED_AT + timedelta(hours=1))
        return
    with pytest.raises(PrivacyNotRaised) as refused:
        privacy.check_raise(case, timeline, requested, ASSIGNED_AT + timedelta(hours=1))
    assert refused.value.details["reason"] == "not_higher"


def test_the_window_is_24_hours_when_nobody_acts_on_it() -> None:
    case, timeline = assigned()
    assert privacy.raise_window_end(case, timeline) == ASSIGNED_AT + timedelta(hours=24)
    privacy.check_raise(case, timeline, Privacy.CONFIDENTIAL, ASSIGNED_AT + timedelta(hours=23, minutes=59))
    with pytest.raises(PrivacyNotRaised) as refused:
        privacy.check_raise(case, timeline, Privacy.CONFIDENTIAL, ASSIGNED_AT + timedelta(hours=24))
    assert refused.value.details["reason"] == "window_closed"


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COORDINATOR, Role.NATIONAL])
def test_the_window_ends_at_the_first_action_of_an_agency(role: Role) -> None:
    case, timeline = assigned()
    acted = ASSIGNED_AT + timedelta(minutes=20)
    timeline.append(TimelineEvent(at=acted, type="acknowledged", actor=Actor(role=role, agency_id="x")))
    assert privacy.raise_window_end(case, timeline) == acted
    with pytest.raises(PrivacyNotRaised):
        privacy.check_raise(case, timeline, Privacy.CONFIDENTIAL, acted)


def test_the_citizens_own_messages_and_the_systems_steps_leave_the_window_open() -> None:
    case, timeline = assigned()
    later = ASSIGNED_AT + timedelta(hours=2)
    timeline += [
        TimelineEvent(at=later, type="commented", actor=Actor(role=Role.CITIZEN)),
        TimelineEvent(at=later, type="notification", actor=Actor(role=Role.SYSTEM), public=False),
    ]
    privacy.check_raise(case, timeline, Privacy.CONFIDENTIAL, later)


@pytest.mark.parametrize("status", [Status.CLOSED, Status.ARCHIVED])
def test_a_closed_complaint_is_past_its_window(status: Status) -> None:
    case = complaint(status=status)
    with pytest.raises(PrivacyNotRaised) as refused:
        privacy.check_raise(case, [], Privacy.CONFIDENTIAL, ASSIGNED_AT + timedelta(minutes=5))
    assert refused.value.details["reason"] == "window_closed"


def test_the_raise_is_a_citizens_event_that_changes_no_status() -> None:
    case = complaint(status=Status.IN_PROGRESS, agency_id="kab-tangerang.disdukcapil")
    changed, event = apply(
        case,
        Action.RAISE_PRIVACY,
        Actor(role=Role.CITIZEN),
        ASSIGNED_AT,
        changes={"privacy": Privacy.CONFIDENTIAL},
    )
    assert (changed.status, changed.privacy, event.type) == (
        Status.IN_PROGRESS,
        Privacy.CONFIDENTIAL,
        "privacy_raised",
    )
    with pytest.raises(Forbidden):
        apply(case, Action.RAISE_PRIVACY, OPERATOR, ASSIGNED_AT)


# -- the gateway's message ID ----------------------------------------------------------------------


def signed(params: dict[str, str]) -> tuple[str, str]:
    from urllib.parse import urlencode

    return urlencode(params), twilio_signature(URL, params, TOKEN)


def test_a_signed_webhook_without_a_message_sid_is_refused_naming_the_field() -> None:
    for params in (
        {"From": "+6281234567890", "To": "+6281100000000", "Body": REPORT},
        {"From": "+6281234567890", "To": "+6281100000000", "Body": REPORT, "MessageSid": " "},
    ):
        body, signature = signed(params)
        with pytest.raises(MalformedRequest) as refused:
            inbound(URL, body, signature, TOKEN)
        assert refused.value.details == {"field": "MessageSid"}


def test_a_signed_webhook_with_its_message_sid_is_read() -> None:
    body, signature = signed(
        {"From": "+6281234567890", "To": "+6281100000000", "Body": REPORT, "MessageSid": "SM1"}
    )
    assert inbound(URL, body, signature, TOKEN).message_id == "SM1"
