"""Every small interface that use cases take and adapters fulfil: the DynamoDB store and the SQS,
SNS, SES and webhook adapters in `aduan.aws`, and the in-memory fakes in `tests/fakes.py`.

Models are imported for type checking only, so that a function that needs no model (the deadline
check) can take these ports without loading pydantic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from aduan.domain.allowance import Quota
    from aduan.domain.models import (
        Agency,
        Complaint,
        ComplaintSummary,
        FiledComplaint,
        Language,
        Status,
        TimelineEvent,
    )


# -- complaints ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Idempotency:
    """What a request with an Idempotency-Key answered, kept for a day to answer its retries."""

    key: str
    fingerprint: str
    response: dict[str, Any]
    expires_at: datetime


# The events a view of a complaint carries at most; older ones are a page further
# (`timeline_before`), so no view outgrows a Lambda response, however long the story.
TIMELINE_PAGE = 100


@dataclass(frozen=True)
class Page:
    """One page of an inbox and the opaque cursor of the next one (None at the end)."""

    complaints: list[ComplaintSummary]
    cursor: str | None


class ComplaintRepository(Protocol):
    """Where complaints and their timelines live. Every state change is conditional on `version`."""

    def create(
        self,
        complaint: Complaint,
        event: TimelineEvent,
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
        outbox: Sequence[dict[str, Any]] = (),
        quotas: Sequence[Quota] = (),
    ) -> None:
        """Store a new complaint with its first event (and idempotency record, and the messages to
        send about it) in one transaction, raising each of `quotas` by one; Conflict with details
        `item` = `complaint` or `idempotency` naming what already exists, or `quota` (and its
        `subject`) for a quota already at its limit. A failed transaction counts nothing."""

    def outbox(self, tracking_id: str) -> list[dict[str, Any]]:
        """The messages stored with the complaint when it was created ([] when none)."""

    def drop_from_outbox(self, tracking_id: str, notification_id: str) -> None:
        """Remove one settled message from the outbox (the item goes with its last); idempotent."""

    def idempotent_response(self, key: str) -> Idempotency | None:
        """The record an earlier request with this key left, if it has not expired."""

    def get_with_timeline(self, tracking_id: str) -> tuple[Complaint, list[TimelineEvent]]:
        """The complaint and its timeline in one read; NotFound if there is no such complaint."""

    def get_with_recent_timeline(
        self, tracking_id: str, before: str | None = None, limit: int = TIMELINE_PAGE
    ) -> tuple[Complaint, list[TimelineEvent], str | None]:
        """The complaint and its newest `limit` events before the cursor `before`, oldest first, and
        the cursor of the events before those (None when there are none); NotFound if there is no
        such complaint, ValidationFailed (`timeline_before`) for a cursor this store never gave."""

    def get(self, tracking_id: str) -> Complaint:
        """The complaint, or NotFound."""

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        """Every event of the complaint, oldest first."""

    def save(
        self,
        complaint: Complaint,
        events: Sequence[TimelineEvent],
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
    ) -> Complaint:
        """Write a changed complaint if nobody changed it since `complaint.version` was read; Conflict
        otherwise. Returns it with the new version. `next_due_at` None takes it out of the due index.
        With `idempotency`, its record is written in the same transaction, and a key that exists
        already is a Conflict with details `item` = `idempotency` (nothing written)."""

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None:
        """Add an event that changes no state (a delivery attempt); the same `event_id` twice is one."""

    def due(self, now: datetime) -> Iterator[str]:
        """Tracking IDs of complaints with a step due at or before `now`, across every shard."""

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        """An agency's complaints in one status, newest first; ValidationFailed (naming `cursor`)
        for a cursor this store did not give for this agency and status."""

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[FiledComplaint]:
        """What the statistics count of an agency's complaints in one status filed in [start, end)."""

    def by_reporter(self, lookup: str) -> list[str]:
        """Tracking IDs of the complaints of the reporter `lookup` names (`Reporter.lookup`), newest first."""


class Timeline(Protocol):
    """What delivery needs of the store: the reporter's contact, a place for each attempt, and the
    outbox to clear of a settled receipt."""

    def get(self, tracking_id: str) -> Complaint: ...

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None: ...

    def drop_from_outbox(self, tracking_id: str, notification_id: str) -> None: ...


class DueIndex(Protocol):
    """The sparse index of complaints with a step due, read shard by shard (the deadline check)."""

    shards: int

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]: ...


# -- queues ----------------------------------------------------------------------------------------


class MessageQueue(Protocol):
    """A queue between two steps."""

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None: ...


class RetryQueue(MessageQueue, Protocol):
    """A queue whose consumer can hold a received message back before its next attempt."""

    def hold_back(self, receipt_handle: str, seconds: int) -> None: ...


class BatchQueue(Protocol):
    """A queue that takes up to ten messages a call; returns the ones it refused."""

    def send_batch(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


# -- evidence ----------------------------------------------------------------------------------------


class EvidenceBucket(Protocol):
    """The private bucket of photos and documents (S3): upload forms for the quarantine prefix,
    short-lived links to what was stored, and the worker's reads and writes."""

    def upload_form(self, key: str, content_type: str, max_size: int, expires_in: int) -> dict[str, Any]:
        """A presigned POST, `{"url", "fields"}`, whose policy takes exactly `key`, exactly
        `content_type` and 1 to `max_size` bytes, for `expires_in` seconds."""

    def link(self, key: str, expires_in: int = 300) -> str:
        """A presigned GET of `key`, valid `expires_in` seconds."""

    def read(self, key: str, limit: int) -> bytes | None:
        """At most the first `limit` bytes of `key`; None when there is no such object."""

    def store(self, key: str, body: bytes, content_type: str) -> None:
        """Write `body` at `key` (a second write replaces the first)."""

    def discard(self, key: str) -> None:
        """Delete `key`; nothing happens when it is gone already."""


# -- delivery --------------------------------------------------------------------------------------


class Ledger(Protocol):
    """At-most-once delivery: a notification is claimed (a lease) before it is sent, settled after."""

    def claim(self, notification_id: str, now: datetime, lease_seconds: int) -> str:
        """`claimed`, `done` (settled before) or `busy` (another worker's lease is live)."""

    def settle(self, notification_id: str, outcome: str) -> None:
        """Sent, or failed for good: never sent again."""

    def release(self, notification_id: str) -> None:
        """Give the claim back after a transient failure, so that the retry may send it."""


class Conversations(Protocol):
    """What Aduan keeps of WhatsApp conversations: the messages acted on, and each sender's
    latest message (the 24-hour customer-service window runs from it)."""

    def seen(self, message_id: str) -> bool:
        """True when the message was acted on before (a redelivery changes nothing)."""

    def remember(self, message_id: str, now: datetime) -> None:
        """The message was acted on (kept 8 days: Meta retries for 7)."""

    def opened(self, sender: str, at: datetime) -> None:
        """The sender wrote at `at` (an earlier time than one recorded changes nothing)."""

    def last_message(self, sender: str) -> datetime | None:
        """When the sender last wrote, if within the days kept."""

    def draft(self, sender: str, now: datetime) -> dict[str, Any] | None:
        """The report the sender wrote and Aduan asked the place of, while it waits (a day at most)."""

    def hold(self, sender: str, draft: dict[str, Any], now: datetime) -> bool:
        """Keep `draft` (its `message_id`, `text`, `at`) for the sender; False when one waits already."""

    def release(self, sender: str, message_id: str) -> None:
        """The draft of `message_id` was filed: forget it (another draft is left alone)."""

    def sent(self, message_id: str, notification: dict[str, Any], now: datetime) -> None:
        """Aduan sent `message_id` for `notification` (its ID, tracking ID, template, language and
        values without secrets): what a later status webhook is about (kept 30 days)."""

    def advanced(self, message_id: str, status: str, rank: int) -> dict[str, Any] | None:
        """The notification of `message_id` if its status moved up to `rank` (`read` after
        `delivered`); None for a status no higher than the one recorded, or a message not Aduan's."""


class MediaSource(Protocol):
    """Where a file a citizen sent by WhatsApp is fetched from (Meta, by its media ID)."""

    def media(self, media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
        """The file's bytes and type, checked against Meta's digest; MediaUnavailable if not."""


class SmsSender(Protocol):
    def send(self, to: str, text: str) -> str: ...


class WhatsAppSender(Protocol):
    """Meta's Cloud API: free text inside the window, an approved template outside it."""

    def send_text(self, to: str, body: str) -> str: ...

    def send_template(self, to: str, name: str, language: str, parameters: list[str]) -> str: ...


class EmailSender(Protocol):
    def send(self, to: str, subject: str, text: str, html: str) -> str: ...


class WebhookSender(Protocol):
    def send(self, url: str, payload: dict[str, Any], *, agency_id: str, key_version: int) -> str:
        """POST `payload`, signed with the key of `agency_id` at `key_version`."""


@dataclass(frozen=True)
class Channels:
    """The ways a notification leaves Aduan (WhatsApp where the deployment has it)."""

    sms: SmsSender
    email: EmailSender
    webhook: WebhookSender
    whatsapp: WhatsAppSender | None = None


# -- operators -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInStep:
    """What the user pool answers one step of a sign-in: the tokens, or the challenge to answer
    next (`new_password`, `mfa_code`) with the session that answers it."""

    id_token: str = ""
    access_token: str = ""
    expires_in: int = 0
    challenge: str | None = None
    session: str = ""


class UserPool(Protocol):
    """Operators' accounts (Cognito). Each step raises SignInRefused (wrong credentials, said alike for
    an unknown user; or an expired session), PasswordResetRequired, AccountNotConfirmed,
    TooManyAttempts, or ValidationFailed naming `code` (a wrong TOTP code) or `new_password` (a
    password the policy refuses)."""

    def sign_in(self, username: str, password: str) -> SignInStep: ...

    def new_password(self, username: str, session: str, new_password: str) -> SignInStep:
        """Answer NEW_PASSWORD_REQUIRED: a new operator's own password for the temporary one."""

    def mfa_code(self, username: str, session: str, code: str) -> SignInStep:
        """Answer SOFTWARE_TOKEN_MFA with the code of the operator's authenticator app."""

    def mfa_secret(self, access_token: str) -> str:
        """A new TOTP secret for the signed-in user (base32), not in force until `enable_mfa`."""

    def enable_mfa(self, access_token: str, code: str) -> None:
        """Check a code of the new secret, then make TOTP the user's (enabled, preferred) MFA."""

    def has_mfa(self, username: str) -> bool:
        """Whether the user has TOTP enabled (False for no such user)."""


# -- reference data, as each use case needs it ----------------------------------------------------


class Directory(Protocol):
    """Who an agency's notifications go to, and (for its webhook's key) the agency."""

    def agency_contacts(self, agency_id: str, channel: str) -> list[str]: ...

    def agency(self, agency_id: str) -> Agency | None: ...


class Names(Protocol):
    """Names of agencies and categories, in the reader's language."""

    def agency_name(self, agency_id: str | None) -> str: ...

    def category_name(self, code: str, language: Language) -> str: ...


class Calendars(Protocol):
    """Which time zone a clock runs in: the agency's own, else the region's."""

    def agency(self, agency_id: str) -> Agency | None: ...

    def timezone_for(self, region_code: str | None) -> str: ...


class IntakeReference(Calendars, Protocol):
    """What intake needs of the reference data."""

    def category_exists(self, code: str) -> bool: ...

    def region_exists(self, code: str) -> bool: ...

    def agency_name(self, agency_id: str | None) -> str: ...
