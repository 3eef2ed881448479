"""What a citizen sends by WhatsApp, and what Meta says of what Aduan sent, as the worker reads
them (Meta's webhook format is read in `aduan.doors.whatsapp`). Plain data: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# The kinds of message Aduan reads; anything else is answered politely and changes nothing.
TEXT, IMAGE, DOCUMENT, LOCATION, BUTTON = "text", "image", "document", "location", "button"
READ_KINDS = frozenset({TEXT, IMAGE, DOCUMENT, LOCATION, BUTTON})

# A delivery status's rank: a later webhook of a lower rank (a late `delivered` after `read`)
# never replaces a higher one; `failed` is final.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


# Meta's codes (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes),
# each with its title, by whether asking again can ever get another answer.
TRANSIENT_CODES = {
    # Authorization. Not this message's fault: the token expired, was revoked or rotated, or the
    # app lost a permission. Every send fails alike until the secret or the app is fixed, and then
    # every one succeeds; recorded as failed for good they would be lost, retried they are not.
    0: "AuthException",
    190: "Access token has expired",
    10: "Permission denied",
    131005: "Access denied",
    # Throttling: the number's throughput, the app's or the account's call rate, too many messages
    # to one user (pair rate), or Meta holding back a number whose messages were flagged as spam.
    4: "API Too Many Calls",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131048: "Spam rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    # Meta itself: down, overloaded, or failing for a reason it does not say.
    2: "API Service",
    131000: "Something went wrong",
    131016: "Service unavailable",
    133004: "Server temporarily unavailable",
}
PERMANENT_CODES = {
    # The request is wrong and will stay wrong.
    100: "Invalid parameter",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131051: "Unsupported message type",
    # The recipient: not a WhatsApp user (or cannot receive), no reply in the last 24 hours (free
    # text is refused until they write again: send the template), the number not registered.
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    133010: "Phone number not registered",
    # The template: not approved in that language, or what Aduan filled in does not fit it.
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template does not exist",
    132005: "Translated text too long",
    132007: "Template format character policy violated",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is paused",
    132016: "Template is disabled",
}


def is_permanent(code: int | None, status: int) -> bool:
    """Whether a refusal from Meta will be the same however often it is asked: by Meta's `code`
    when it is one of the tables above, else by the HTTP status (5xx, 408 and 429 may pass; any
    other status, a redirect included, will not)."""
    if code in TRANSIENT_CODES:
        return False
    if code in PERMANENT_CODES:
        return True
    return not (status >= 500 or status in (408, 429))


@dataclass(frozen=True)
class Media:
    """A photo or document Meta holds for us: fetched by its ID with the access token."""

    media_id: str
    mime_type: str
    sha256: str  # as Meta gives it: hex, or base64 in some payloads (`aduan.aws.whatsapp_cloud`)
    filename: str | None = None


@dataclass(frozen=True)
class SharedPlace:
    """A location the citizen shared: the report's coordinates."""

    lat: float
    lon: float
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    """One message from a citizen. `sender` is how WhatsApp names them to us: the phone-number
    wa_id (digits), or the business-scoped user ID when the number is hidden (from 2026);
    `phone` is the number in E.164 when WhatsApp shows one. `sent_at` is Meta's timestamp: the
    customer-service window runs 24 hours from the latest."""

    message_id: str
    sender: str
    phone: str | None
    kind: str
    text: str = ""  # the text, a caption, a button's label
    media: Media | None = None
    place: SharedPlace | None = None
    sent_at: datetime | None = None

    @property
    def readable(self) -> bool:
        return self.kind in READ_KINDS


@dataclass(frozen=True)
class DraftDue:
    """Half an hour after Aduan asked a sender where: file their report, place or no place."""

    sender: str
    message_id: str  # the report's own message: the draft it is about


def draft_due(sender: str, message_id: str) -> dict[str, Any]:
    """The queue item that brings a report back when its place has been waited for long enough
    (read back by `aduan.doors.whatsapp.read_item`)."""
    return {"draft_due": {"sender": sender, "message_id": message_id}}


@dataclass(frozen=True)
class DeliveryStatus:
    """What Meta says of a message Aduan sent: `sent`, `delivered`, `read` or `failed`."""

    message_id: str
    status: str
    at: datetime | None
    error_codes: tuple[int, ...] = ()
