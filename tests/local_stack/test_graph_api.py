"""WhatsApp through Meta's Graph API, both sides over real loopback HTTP: `WhatsAppCloud`, what the
functions send with, against `FakeGraphApi`, what the local stack answers with. Meta's rules hold
on the way: the 24-hour window, approved templates in their languages, Meta's error codes (and
which of them may pass), media fetched by ID and checked against Meta's digest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aduan.aws.whatsapp_cloud import WhatsAppCloud
from aduan.domain.errors import DeliveryFailed, MediaUnavailable
from aduan_local.graph_api import FakeGraphApi, wa_id_of
from tests.privacy import IDENTITIES

pytestmark = pytest.mark.integration

CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "aduan" / "data" / "whatsapp_templates.json"
TOKEN = "local-graph-token"
PHONE_NUMBER_ID = "106540352242922"
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # a Monday morning in Jakarta's working week
SITI, BUDI = "+6281299007001", "+6281299007002"
for citizen in (SITI, BUDI):
    IDENTITIES.phone(citizen)  # no log line of the session may carry them
PERMANENT, TRANSIENT = True, False
PHOTO = b"\xff\xd8\xff\xe0" + b"foto jalan berlubang" * 50


@pytest.fixture
def graph() -> Iterator[FakeGraphApi]:
    fake = FakeGraphApi(
        access_token=TOKEN, phone_number_id=PHONE_NUMBER_ID, catalogue=CATALOGUE, clock=lambda: NOW
    ).start()
    yield fake
    fake.stop()


@pytest.fixture
def whatsapp(graph: FakeGraphApi) -> WhatsAppCloud:
    return WhatsAppCloud(graph.url, PHONE_NUMBER_ID, lambda: TOKEN)


def send_receipt(whatsapp: WhatsAppCloud, to: str = SITI, parameters: list[str] | None = None) -> str:
    """The receipt's template: its two values are the tracking ID and the access code."""
    values = ["K7MX4-RPA27", "ABCD2345"] if parameters is None else parameters
    return whatsapp.send_template(to, "aduan_laporan_diterima", "id", values)


def refused(attempt: Callable[[], object]) -> tuple[str, bool]:
    """The reason a send or a fetch failed (what a log may show) and whether it failed for good."""
    try:
        attempt()
    except (DeliveryFailed, MediaUnavailable) as failure:
        return failure.reason, failure.permanent
    pytest.fail("it did not fail")


# -- text and the customer-service window --------------------------------------------------------


def test_a_reply_to_a_citizen_who_wrote_this_morning_is_sent(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    graph.inbound(wa_id_of(SITI), NOW - timedelta(hours=2))

    wamid = whatsapp.send_text(SITI, "Laporan K7MX4-RPA27 sudah kami terima.")

    assert wamid.startswith("wamid.")
    assert graph.sent() == [
        {"id": wamid, "to": SITI, "type": "text", "body": "Laporan K7MX4-RPA27 sudah kami terima."}
    ]


@pytest.mark.parametrize("last_wrote", [NOW - timedelta(hours=24), NOW - timedelta(days=3), None])
def test_free_text_once_the_window_has_closed_is_refused_for_good(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud, last_wrote: datetime | None
) -> None:
    if last_wrote is not None:
        graph.inbound(wa_id_of(SITI), last_wrote)

    failure = refused(lambda: whatsapp.send_text(SITI, "Apakah masih ada yang perlu ditambahkan?"))

    assert failure == ("whatsapp 131047", PERMANENT)  # Meta's code: neither the number nor the words
    assert graph.sent() == []


def test_a_text_longer_than_whatsapp_takes_is_refused_for_good(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    graph.inbound(wa_id_of(SITI), NOW)

    assert refused(lambda: whatsapp.send_text(SITI, "x" * 4097)) == ("whatsapp 100", PERMANENT)


# -- templates -------------------------------------------------------------------------------------


def test_the_receipt_reaches_a_citizen_whose_window_is_closed(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    wamid = send_receipt(whatsapp)

    template = {"name": "aduan_laporan_diterima", "language": "id", "parameters": ["K7MX4-RPA27", "ABCD2345"]}
    assert graph.sent() == [{"id": wamid, "to": SITI, "type": "template", "template": template}]


@pytest.mark.parametrize(("name", "language"), [("aduan_tidak_ada", "id"), ("aduan_laporan_diterima", "fr")])
def test_a_template_meta_never_approved_in_that_language_is_refused_for_good(
    whatsapp: WhatsAppCloud, name: str, language: str
) -> None:
    failure = refused(lambda: whatsapp.send_template(SITI, name, language, ["K7MX4-RPA27", "ABCD2345"]))

    assert failure == ("whatsapp 132001", PERMANENT)


@pytest.mark.parametrize("parameters", [[], ["K7MX4-RPA27"], ["K7MX4-RPA27", "ABCD2345", "lagi"]])
def test_a_template_filled_with_the_wrong_number_of_values_is_refused_for_good(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud, parameters: list[str]
) -> None:
    assert refused(lambda: send_receipt(whatsapp, parameters=parameters)) == ("whatsapp 132000", PERMANENT)
    assert graph.sent() == []


# -- citizens who cannot be reached, and a Meta that is busy or that Aduan cannot reach ------------


def test_a_citizen_who_left_whatsapp_gets_nothing_whatever_is_sent(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    graph.inbound(wa_id_of(BUDI), NOW - timedelta(minutes=5))
    graph.leave(wa_id_of(BUDI))

    assert refused(lambda: whatsapp.send_text(BUDI, "Terima kasih.")) == ("whatsapp 131026", PERMANENT)
    assert refused(lambda: send_receipt(whatsapp, BUDI)) == ("whatsapp 131026", PERMANENT)


@pytest.mark.parametrize("code", [130429, 131056, 131000, 133004])  # throughput, pair rate, Meta failing
def test_a_throttled_or_failing_meta_is_tried_again_and_the_next_send_goes(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud, code: int
) -> None:
    graph.fail_next(code)

    assert refused(lambda: send_receipt(whatsapp)) == (f"whatsapp {code}", TRANSIENT)
    wamid = send_receipt(whatsapp)
    assert [message["id"] for message in graph.sent()] == [wamid]


def test_a_wrong_or_rotated_token_is_tried_again_not_given_up(graph: FakeGraphApi) -> None:
    stale = WhatsAppCloud(graph.url, PHONE_NUMBER_ID, lambda: "token-before-rotation")

    assert refused(lambda: send_receipt(stale)) == ("whatsapp 190", TRANSIENT)
    assert graph.sent() == []


def test_another_business_number_is_refused_as_meta_refuses_an_unknown_object(graph: FakeGraphApi) -> None:
    elsewhere = WhatsAppCloud(graph.url, "999999999999999", lambda: TOKEN)

    assert refused(lambda: send_receipt(elsewhere)) == ("whatsapp 100", PERMANENT)


def test_meta_out_of_reach_is_tried_again(graph: FakeGraphApi, whatsapp: WhatsAppCloud) -> None:
    graph.stop()

    assert refused(lambda: send_receipt(whatsapp)) == ("ConnectionRefusedError", TRANSIENT)


# -- media a citizen sent --------------------------------------------------------------------------


def test_a_photo_a_citizen_sent_comes_back_whole_with_its_type(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    media_id = graph.add_media(PHOTO, "image/jpeg")

    assert whatsapp.media(media_id, max_bytes=len(PHOTO)) == (PHOTO, "image/jpeg")


def test_a_file_whose_bytes_are_not_what_meta_says_is_refused_for_good(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    media_id = graph.add_media(PHOTO, "image/jpeg", sha256=hashlib.sha256(b"another photo").hexdigest())

    assert refused(lambda: whatsapp.media(media_id, max_bytes=len(PHOTO))) == ("sha256_mismatch", PERMANENT)


def test_a_file_larger_than_aduan_takes_is_refused_for_good(
    graph: FakeGraphApi, whatsapp: WhatsAppCloud
) -> None:
    media_id = graph.add_media(PHOTO, "image/jpeg")

    assert refused(lambda: whatsapp.media(media_id, max_bytes=len(PHOTO) - 1)) == ("too_large", PERMANENT)


def test_a_media_id_meta_does_not_know_or_has_expired_is_refused_for_good(whatsapp: WhatsAppCloud) -> None:
    assert refused(lambda: whatsapp.media("1234567890123456", max_bytes=10**6)) == ("whatsapp 100", PERMANENT)
