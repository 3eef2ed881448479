"""Meta's WhatsApp Cloud API webhook format: the verification handshake, the signature over the
raw body, and the payload split into one queue item per message or status.

The webhook function checks and splits (milliseconds: Meta retries anything but a quick 200 for
seven days); the worker reads each item back (`read_item`) and acts. Nothing here trusts a
field's presence or type: Meta's payloads gain fields and kinds over time, and a signed payload
of a shape never seen must neither fail the webhook nor block the queue.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from aduan.domain.errors import InvalidSignature, MalformedRequest
from aduan.domain.whatsapp_messages import (
    BUTTON,
    DOCUMENT,
    IMAGE,
    LOCATION,
    TEXT,
    DeliveryStatus,
    DraftDue,
    InboundMessage,
    Media,
    SharedPlace,
)

SIGNATURE_PREFIX = "sha256="
MAX_ID_LENGTH = 512  # a wamid is about 60 characters; a BSUID at most 131


def challenge(query: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo when Meta's subscription request names our verify token;
    None (answer 403) otherwise."""
    given = query.get("hub.verify_token", "")
    if query.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(given.encode("utf-8", "replace"), verify_token.encode()):
        return None
    return query.get("hub.challenge", "")


def raw_body(event: Mapping[str, Any]) -> bytes:
    """The body's bytes as Meta sent them: API Gateway base64-encodes a body it will not pass as text."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return str(body).encode("utf-8", "replace")  # a lone surrogate: no longer the bytes signed


def check_signature(raw: bytes, header: str | None, app_secret: str) -> None:
    """InvalidSignature unless `X-Hub-Signature-256` is `sha256=` and the hex HMAC-SHA256 of the
    raw bytes under the app secret (compared in constant time; never over re-serialised JSON)."""
    expected = SIGNATURE_PREFIX + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    given = (header or "").strip().lower().encode("utf-8", "replace")
    if not header or not hmac.compare_digest(expected.encode(), given):
        raise InvalidSignature("the X-Hub-Signature-256 does not match")


def queue_items(raw: bytes) -> list[dict[str, Any]]:
    """One queue item per message (with its sender's contact) and per status, in the payload's
    order; what is not Meta's shape is left out (a payload that is not JSON gives none)."""
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return []
    return list(_items(payload))


def _items(payload: Any) -> Iterator[dict[str, Any]]:
    for entry in _dicts(_get(payload, "entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field") != "messages":
                continue
            value = change.get("value")
            contacts = list(_dicts(_get(value, "contacts")))
            for message in _dicts(_get(value, "messages")):
                yield {"message": message, "contact": _contact_of(message, contacts)}
            for status in _dicts(_get(value, "statuses")):
                yield {"status": status}


def _contact_of(message: Mapping[str, Any], contacts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The contact entry of the message's sender (by wa_id or user ID), else the only one there is."""
    for contact in contacts:
        if message.get("from") and contact.get("wa_id") == message.get("from"):
            return contact
        if message.get("from_user_id") and contact.get("user_id") == message.get("from_user_id"):
            return contact
    return contacts[0] if len(contacts) == 1 else None


def read_item(body: str) -> InboundMessage | DeliveryStatus | DraftDue:
    """A queue item back as what it says; MalformedRequest for an item no retry can read (poison)."""
    try:
        item = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedRequest("a WhatsApp queue item that is not JSON", field="body") from None
    due = _get(item, "draft_due")
    if isinstance(due, dict) and _text(due.get("sender")) and _text(due.get("message_id")):
        return DraftDue(sender=due["sender"], message_id=due["message_id"])
    if isinstance(_get(item, "status"), dict):
        return _status(item["status"])
    if isinstance(_get(item, "message"), dict):
        contact = item.get("contact")
        return _message(item["message"], contact if isinstance(contact, dict) else {})
    raise MalformedRequest("a WhatsApp queue item with neither a message nor a status", field="body")


def _message(message: dict[str, Any], contact: dict[str, Any]) -> InboundMessage:
    message_id = _text(message.get("id"))
    number = _text(message.get("from")) or _text(contact.get("wa_id"))
    sender = number or _text(message.get("from_user_id")) or _text(contact.get("user_id"))
    if not message_id or not sender:
        raise MalformedRequest("a WhatsApp message without its ID or its sender", field="message")
    kind = _text(message.get("type")) or "unknown"
    found = message.get(kind)
    part: dict[str, Any] = found if isinstance(found, dict) else {}
    text, media, place = "", None, None
    if kind == TEXT:
        text = _text(part.get("body"), limit=None)
    elif kind in (IMAGE, DOCUMENT):
        text = _text(part.get("caption"), limit=None)
        media = _media(part)
    elif kind == LOCATION:
        place = _place(part)
    elif kind == BUTTON:
        text = _text(part.get("text"), limit=None)
    elif kind == "interactive":  # a tapped reply button or list row: its title is what was meant
        reply = part.get("button_reply") or part.get("list_reply")
        text = _text(reply.get("title"), limit=None) if isinstance(reply, dict) else ""
        kind = BUTTON
    complete = {TEXT: bool(text.strip()), IMAGE: media, DOCUMENT: media, LOCATION: place, BUTTON: text}
    return InboundMessage(
        message_id=message_id,
        sender=sender,
        phone=f"+{number}" if number.isdigit() and 6 <= len(number) <= 15 else None,
        kind=kind if complete.get(kind) else "unsupported",
        text=text,
        media=media,
        place=place,
        sent_at=_time(message.get("timestamp")),
    )


def _media(part: Mapping[str, Any]) -> Media | None:
    media_id, mime_type = _text(part.get("id")), _text(part.get("mime_type"))
    if not media_id or not mime_type:
        return None
    filename = _text(part.get("filename")) or None
    return Media(media_id=media_id, mime_type=mime_type, sha256=_text(part.get("sha256")), filename=filename)


def _place(part: Mapping[str, Any]) -> SharedPlace | None:
    lat, lon = _number(part.get("latitude")), _number(part.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    name, address = _text(part.get("name")) or None, _text(part.get("address")) or None
    return SharedPlace(lat=lat, lon=lon, name=name, address=address)


def _status(status: dict[str, Any]) -> DeliveryStatus:
    message_id, state = _text(status.get("id")), _text(status.get("status"))
    if not message_id or not state:
        raise MalformedRequest("a WhatsApp status without its message ID or its status", field="status")
    codes = tuple(
        error["code"]
        for error in _dicts(status.get("errors"))
        if isinstance(error.get("code"), int) and not isinstance(error.get("code"), bool)
    )
    return DeliveryStatus(
        message_id=message_id, status=state, at=_time(status.get("timestamp")), error_codes=codes
    )


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _text(value: Any, limit: int | None = MAX_ID_LENGTH) -> str:
    """A string field as it is, or empty when it is missing, not a string, or an ID too long to be one."""
    if not isinstance(value, str) or (limit is not None and len(value) > limit):
        return ""
    return value


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _time(value: Any) -> datetime | None:
    """Meta's timestamps: Unix seconds as a string."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not text.isdigit() or len(text) > 12:
        return None
    return datetime.fromtimestamp(int(text), UTC)
