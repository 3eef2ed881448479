"""S3's event notifications as an SQS message carries them: which objects were created.

A message's body is an S3 event, `{"Records": [{"eventName": "ObjectCreated:Post", "s3":
{"object": {"key", "size"}}}]}`, whose keys are URL-encoded as in a form (`+` for a space); or,
once when the notification is set up, `{"Event": "s3:TestEvent", ...}`, which names no object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus


@dataclass(frozen=True)
class CreatedObject:
    key: str
    size: int


class MalformedEvent(ValueError):
    """A body that is not an S3 event: `problem` says what is wrong, never what it holds."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def created_objects(body: str) -> list[CreatedObject]:
    """The objects an S3 event says were created ([] for the test event, and for events of
    another kind); MalformedEvent for a body that is no S3 event."""
    try:
        event: Any = json.loads(body)
    except (ValueError, RecursionError):
        raise MalformedEvent("not_json") from None
    if not isinstance(event, dict):
        raise MalformedEvent("not_an_object")
    if event.get("Event") == "s3:TestEvent":
        return []
    records = event.get("Records")
    if not isinstance(records, list):
        raise MalformedEvent("no_records")
    created = []
    for record in records:
        if not isinstance(record, dict) or not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = record.get("s3")
        found = s3.get("object") if isinstance(s3, dict) else None
        if not isinstance(found, dict):
            raise MalformedEvent("no_object")
        key, size = found.get("key"), found.get("size", 0)
        if not isinstance(key, str) or type(size) is not int or size < 0:
            raise MalformedEvent("bad_object")
        created.append(CreatedObject(unquote_plus(key), size))
    return created
