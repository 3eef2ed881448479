"""The whole story of one complaint against the local stack, as tests/e2e/test_operators.py tells
it: reported by SMS, assigned, acknowledged, information requested and given by SMS, responded,
reopened by the citizen, responded again, rated, and closed when the reply window runs out; and
the same story told by a citizen on WhatsApp (`WhatsAppStory`), with a day between the citizen's
messages and each operator's step, as there is in life, so that what goes out as a paid template
and what as a free reply is what a real week would send.

Waiting reads the table and the outbox directly (the bench's own clients are not counted), so the
only API requests are the story's own: the citizen's and the operator's."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
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

    def _report(self) -> str:
        """The citizen's report; the receipt's text (the tracking ID and access code are read from it)."""
        send_sms(self.stack, self.phone, REPORT, f"SM{self.phone}a")
        return str(eventually(lambda: [m for m in sms_to(self.stack, self.phone) if "diterima" in m])[0])

    def _balas(self, text: str) -> None:
        send_sms(self.stack, self.phone, f"BALAS {self.display} {text}", f"SM{self.phone}b")

    def _a_day_passes(self) -> None:
        """Between the citizen's last message and an operator's step (nothing to do by SMS)."""

    def _status(self, status: str) -> None:
        eventually(lambda: stored(self.stack, self.tracking_id)["status"] == status)

    def report(self) -> None:
        """The citizen reports; the tracking ID and the access code are read from the receipt."""
        received = self._report()
        self.display = received.split("laporan ")[1].split(" ")[0]
        self.tracking_id = self.display.replace("-", "")
        self.access_code = received.split("Kode akses: ")[1].split(" ")[0]

    def until_rated(self) -> None:
        """Everything up to the rating; the reply window then runs (`close` ends it)."""
        self.report()
        self._status("assigned")
        self._a_day_passes()
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
        self._balas("nomor registrasinya 3603-2026-0001")
        self._status("in_progress")
        self._a_day_passes()
        self._act({"action": "respond", "text": "KTP sudah dicetak, silakan ambil di kecamatan."})
        self._citizen({"kind": "reopen", "text": "Saya ke kecamatan tapi KTP belum ada."})
        self._a_day_passes()
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


REPORT = "KTP elektronik sy blm jadi sdh 3 bln, rekam di kecamatan Cikupa"


class WhatsAppStory(Story):
    """The same citizen on WhatsApp: the report and the `BALAS` by WhatsApp (signed as Meta signs),
    the rest as in `Story`; a day passes before each operator's step (the citizen's window is
    moved back 25 hours, in Aduan's table and in the stand-in Graph API: a clock, never a sleep)."""

    def __init__(self, stack: LocalStack, phone: str, token: str) -> None:
        super().__init__(stack, phone, token)
        self.wa_id = phone.removeprefix("+")

    def _report(self) -> str:
        client.send_whatsapp(
            self.stack.url, client.whatsapp_payload(client.whatsapp_message(self.phone, body=REPORT))
        )
        return str(eventually(lambda: [m["body"] for m in self.sent() if "diterima" in m.get("body", "")])[0])

    def _balas(self, text: str) -> None:
        message = client.whatsapp_message(self.phone, body=f"BALAS {self.display} {text}")
        client.send_whatsapp(self.stack.url, client.whatsapp_payload(message)).raise_for_status()

    def _a_day_passes(self) -> None:
        from aduan.aws.conversations import DynamoConversations

        quiet(self.stack)  # what the last message caused is sent first, inside the window

        key_secret = self.stack.client("secretsmanager").get_secret_value(
            SecretId=self.stack.resources.ref("ReporterKeySecret")
        )["SecretString"]
        table = self.stack.resources.ref("ComplaintsTable")
        conversations = DynamoConversations(self.stack.client("dynamodb"), table, key_secret.encode)
        self.stack.client("dynamodb").update_item(
            TableName=table,
            Key=conversations.window_key(self.wa_id),
            UpdateExpression="SET last_message_at = last_message_at - :day",
            ExpressionAttributeValues={":day": {"N": str(25 * 3600)}},
        )
        self.stack.graph.age(self.wa_id, timedelta(hours=25))

    def sent(self) -> list[dict[str, Any]]:
        """What Aduan sent this citizen by WhatsApp."""
        return [message for message in self.stack.outbox()["whatsapp"] if message["to"] == self.wa_id]

    def closed(self) -> bool:
        said = [m.get("body", "") or m.get("template", {}).get("name", "") for m in self.sent()]
        closing = ("ditutup", "aduan_laporan_ditutup")
        return stored(self.stack, self.tracking_id)["status"] == "closed" and any(
            word in text for text in said for word in closing
        )


def run_stories(stack: LocalStack, count: int, first_phone: int, kind: type[Story] = Story) -> list[Story]:
    """`count` whole stories one after another; the scheduled deadline check then runs once at
    the end of the last reply window and closes them all, as it would on its schedule."""
    token = stack.token(OPERATOR)["token"]
    stories = [kind(stack, f"+62812{first_phone + n:07d}", token) for n in range(count)]
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
