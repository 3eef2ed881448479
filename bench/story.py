"""The whole story of one complaint against the local stack, as tests/e2e/test_operators.py tells
it: reported by SMS, assigned, acknowledged, information requested and given by SMS, responded,
reopened by the citizen, responded again, rated, and closed when the reply window runs out.

Waiting reads the table and the outbox directly (the bench's own clients are not counted), so the
only API requests are the story's own: the citizen's and the operator's."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import requests

from aduan.aws.complaint_store import COMPLAINT_SK, complaint_pk
from aduan.aws.items import from_item
from aduan_local import client
from aduan_local.stack import LocalStack

OPERATOR = "op.disdukcapil"  # a seeded demo user, of the agency that KTP reports in Cikupa reach


def eventually(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(getattr(check, "__name__", "condition"))
        time.sleep(0.1)
    return result


def send_sms(stack: LocalStack, sender: str, text: str, sid: str) -> None:
    client.send_sms(stack.url, sender, text, sid).raise_for_status()


def sms_to(stack: LocalStack, phone: str) -> list[str]:
    return [message["body"] for message in stack.outbox()["sms"] if message["to"] == phone]


def stored(stack: LocalStack, tracking_id: str) -> dict[str, Any]:
    item = stack.client("dynamodb").get_item(
        TableName=stack.resources.ref("ComplaintsTable"),
        Key={"pk": {"S": complaint_pk(tracking_id)}, "sk": {"S": COMPLAINT_SK}},
        ConsistentRead=True,
    )["Item"]
    return from_item(item)


class Story:
    """One citizen (one phone number) and the operator of the agency their report reaches."""

    def __init__(self, stack: LocalStack, phone: str, token: str) -> None:
        self.stack, self.phone, self.token = stack, phone, token
        self.tracking_id = self.display = self.access_code = ""

    def _operator(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = requests.request(
            method,
            f"{self.stack.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def _act(self, body: dict[str, Any]) -> None:
        """An operator opens the complaint, then acts on the version they saw."""
        path = f"/ops/complaints/{self.tracking_id}"
        version = self._operator("GET", path)["version"]
        self._operator("POST", f"{path}/actions", body | {"version": version})

    def _citizen(self, body: dict[str, Any]) -> None:
        response = requests.post(
            f"{self.stack.url}/complaints/{self.tracking_id}/replies",
            json=body,
            headers={"X-Access-Code": self.access_code},
            timeout=30,
        )
        response.raise_for_status()

    def _status(self, status: str) -> None:
        eventually(lambda: stored(self.stack, self.tracking_id)["status"] == status)

    def until_rated(self) -> None:
        """Everything up to the rating; the reply window then runs (`close` ends it)."""
        send_sms(
            self.stack,
            self.phone,
            "KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa",
            f"SM{self.phone}a",
        )
        received = eventually(lambda: [m for m in sms_to(self.stack, self.phone) if "diterima" in m])
        self.display = received[0].split("laporan ")[1].split(" ")[0]
        self.tracking_id = self.display.replace("-", "")
        self.access_code = received[0].split("Kode akses: ")[1].split(" ")[0]
        self._status("assigned")
        self._act({"action": "acknowledge"})
        # An SMS report is anonymous: a question asking for what identifies the reporter is held
        # until the operator confirms it (a registration number is what Disdukcapil needs here).
        self._act(
            {
                "action": "request_info",
                "text": "Mohon kirim nomor registrasi perekaman e-KTP.",
                "confirm": True,
            }
        )
        send_sms(
            self.stack,
            self.phone,
            f"BALAS {self.display} nomor registrasinya 3603-2026-0001",
            f"SM{self.phone}b",
        )
        self._status("in_progress")
        self._act({"action": "respond", "text": "KTP sudah dicetak, silakan ambil di kecamatan."})
        self._citizen({"kind": "reopen", "text": "Saya ke kecamatan tapi KTP belum ada."})
        self._act({"action": "respond", "text": "Mohon maaf, KTP sudah dikirim ke kecamatan hari ini."})
        self._citizen({"kind": "rate", "rating": 4})

    def add_photo(self, body: bytes) -> None:
        """The citizen adds a JPEG to the report as the tracking page does (DESIGN §4.1): a form from
        the API, the file posted to the bucket with it; back once the attachment worker added it."""
        response = requests.post(
            f"{self.stack.url}/complaints/{self.tracking_id}/attachments",
            json={"filename": "jalan.jpg", "content_type": "image/jpeg", "size": len(body)},
            headers={"X-Access-Code": self.access_code},
            timeout=30,
        )
        response.raise_for_status()
        upload = response.json()["upload"]
        posted = requests.post(
            upload["url"],
            data=upload["fields"],
            files={"file": ("jalan.jpg", body, "image/jpeg")},
            timeout=30,
        )
        posted.raise_for_status()
        eventually(
            lambda: [
                attachment
                for attachment in stored(self.stack, self.tracking_id).get("attachments", [])
                if attachment["state"] == "added"
            ]
        )

    def reply_window_ends(self) -> datetime:
        return datetime.fromisoformat(
            str(stored(self.stack, self.tracking_id)["next_due_at"]).replace("Z", "+00:00")
        )

    def closed(self) -> bool:
        return stored(self.stack, self.tracking_id)["status"] == "closed" and any(
            "ditutup" in text for text in sms_to(self.stack, self.phone)
        )


def run_stories(stack: LocalStack, count: int, first_phone: int) -> list[Story]:
    """`count` whole stories one after another; the scheduled deadline check then runs once at
    the end of the last reply window and closes them all, as it would on its schedule."""
    token = stack.token(OPERATOR)["token"]
    stories = [Story(stack, f"+62812{first_phone + n:07d}", token) for n in range(count)]
    for story in stories:
        story.until_rated()
    stack.fire("EscalationCheckFunction", max(story.reply_window_ends() for story in stories))
    for story in stories:
        eventually(story.closed)
    return stories


def quiet(stack: LocalStack, settle: float = 2.5) -> dict[str, Any]:
    """The call counts once the functions have stopped calling (pollers' idle polls aside)."""

    def busy(counts: dict[str, Any]) -> dict[str, Any]:
        return {name: entry["invocations"] for name, entry in counts["functions"].items()}

    before = busy(stack.calls.snapshot())
    while True:
        time.sleep(settle)
        counts = stack.calls.snapshot()
        if busy(counts) == before:
            return counts
        before = busy(counts)
