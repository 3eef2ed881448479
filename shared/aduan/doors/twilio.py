"""The SMS gateway's webhook format (Twilio-compatible): its form fields, its signature, its answer.

A second gateway format goes beside this module without touching the SMS use case.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qsl

from aduan.domain.errors import InvalidSignature, MalformedRequest
from aduan.domain.sms_commands import InboundText


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """Base64 HMAC-SHA1 of the full URL followed by each parameter's name and value, by name."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def inbound(url: str, form_body: str, signature: str | None, token: str) -> InboundText:
    """The message in a Twilio webhook, after checking its signature (InvalidSignature if wrong);
    MalformedRequest without a MessageSid, which Twilio always sends: it is what makes a text be
    acted on once, however often the gateway delivers it."""
    params = dict(parse_qsl(form_body, keep_blank_values=True))
    expected = twilio_signature(url, params, token)
    # As bytes: compare_digest refuses str with non-ASCII characters, which anyone can send.
    if not signature or not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise InvalidSignature("the X-Twilio-Signature does not match")
    if not params.get("MessageSid", "").strip():
        raise MalformedRequest("a webhook without a MessageSid", field="MessageSid")
    return InboundText(
        sender=params.get("From", ""),
        to=params.get("To", ""),
        body=params.get("Body", ""),
        message_id=params.get("MessageSid", ""),
    )


EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
