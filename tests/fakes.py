"""In-memory adapters for the ports of `aduan.domain.ports`, held to the DynamoDB ones by
tests/integration/test_fakes_contract.py. Each can inject the failure a story needs: another
writer between a read and a save, a queue that is down, a channel that fails."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aduan.domain.allowance import Quota
from aduan.domain.errors import (
    Conflict,
    DeliveryFailed,
    MediaUnavailable,
    NotFound,
    PasswordResetRequired,
    SignInRefused,
    TooManyAttempts,
    ValidationFailed,
)
from aduan.domain.models import Complaint, ComplaintSummary, FiledComplaint, Status, TimelineEvent
from aduan.domain.ports import TIMELINE_PAGE, Channels, Idempotency, Page, SignInStep
from aduan.domain.tracking import reporter_key
from aduan.domain.workdays import iso
from aduan_local.user_pool import MOTO_TOTP_SECRET, totp


class Unavailable(Exception):
    """What a fake queue raises when it was told to fail (SQS would raise a ClientError)."""


class ConditionFailed(Exception):
    """A ledger write whose condition does not hold (DynamoDB's ConditionalCheckFailed)."""


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # the store's sort-key form


def _copy(model: Any) -> Any:
    """A model as it comes back from the table: through JSON, so what does not round-trip shows."""
    return type(model).model_validate_json(model.model_dump_json())


def _json(message: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(message))
    return copied


class FakeComplaintStore:
    """ComplaintRepository (and DueIndex) in memory, with the store's conditions and key orders."""

    def __init__(self, *, reporter_secret: bytes = b"fake-secret", shards: int = 4) -> None:
        self.shards = shards
        self.now: Callable[[], datetime] = lambda: datetime.now(UTC)  # the store reads the wall clock
        self.saves: list[tuple[Complaint, list[TimelineEvent]]] = []  # every successful save
        self._secret = reporter_secret
        self._complaints: dict[str, Complaint] = {}
        self._due: dict[str, datetime] = {}
        self._events: dict[str, dict[str, TimelineEvent]] = {}
        self._outboxes: dict[str, list[dict[str, Any]]] = {}
        self._idempotency: dict[str, Idempotency] = {}
        self._quotas: dict[tuple[str, str, str], int] = {}
        self._meanwhile: list[Callable[[], object]] = []
        self._conflicts = 0

    # -- failures to inject --------------------------------------------------------------------

    def meanwhile(self, write: Callable[[], object]) -> None:
        """Run `write` (another writer) just before the next save, which then meets its change."""
        self._meanwhile.append(write)

    def conflict_on_next_save(self) -> None:
        """Another writer changes the next saved complaint first (its version, nothing else)."""
        self._conflicts += 1

    # -- writes --------------------------------------------------------------------------------

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
        tracking_id = complaint.tracking_id
        if tracking_id in self._complaints:
            raise Conflict("the complaint was changed by someone else; read it again", item="complaint")
        self._refuse_a_live_record(idempotency, complaint.created_at)
        for quota in quotas:  # counted as the table counts: a day's count per subject, whole or not at all
            if self.quota_count(quota) >= quota.limit:
                raise Conflict("a daily allowance is used up", item="quota", subject=quota.subject)
        for quota in quotas:
            self._quotas[_quota_key(quota)] = self.quota_count(quota) + 1
        self._put(complaint, [event], next_due_at)
        if idempotency is not None:
            whole_seconds = idempotency.expires_at.replace(microsecond=0)
            self._idempotency[idempotency.key] = replace(idempotency, expires_at=whole_seconds)
        if outbox:
            self._outboxes[tracking_id] = [_json(message) for message in outbox]

    def save(
        self,
        complaint: Complaint,
        events: Sequence[TimelineEvent],
        *,
        next_due_at: datetime | None,
        idempotency: Idempotency | None = None,
    ) -> Complaint:
        while self._meanwhile:
            self._meanwhile.pop(0)()
        stored = self._complaints.get(complaint.tracking_id)
        if stored is not None and self._conflicts:
            self._conflicts -= 1
            stored = self._complaints[stored.tracking_id] = stored.model_copy(
                update={"version": stored.version + 1}
            )
        if stored is None or stored.version != complaint.version:
            raise Conflict("the complaint was changed by someone else; read it again", item="complaint")
        self._refuse_a_live_record(idempotency, complaint.updated_at)
        changed = complaint.model_copy(update={"version": complaint.version + 1})
        self._put(changed, events, next_due_at)
        if idempotency is not None:  # in whole seconds, as the table keeps it
            self._idempotency[idempotency.key] = replace(
                idempotency, expires_at=idempotency.expires_at.replace(microsecond=0)
            )
        self.saves.append((changed, list(events)))
        return changed

    def _refuse_a_live_record(self, idempotency: Idempotency | None, now: datetime) -> None:
        """As the table's condition: a key is taken while its record lives (in whole seconds);
        an expired record TTL has not deleted yet holds nothing."""
        held = self._idempotency.get(idempotency.key) if idempotency is not None else None
        if held is not None and held.expires_at.timestamp() >= int(now.timestamp()):
            raise Conflict("the complaint was changed by someone else; read it again", item="idempotency")

    def _put(
        self, complaint: Complaint, events: Sequence[TimelineEvent], next_due_at: datetime | None
    ) -> None:
        tracking_id = complaint.tracking_id
        self._complaints[tracking_id] = _copy(complaint)
        self._due.pop(tracking_id, None)
        if next_due_at is not None:
            self._due[tracking_id] = next_due_at
        timeline = self._events.setdefault(tracking_id, {})
        for n, event in enumerate(events):
            timeline[f"{_stamp(event.at)}#v{complaint.version:06d}#{n:02d}"] = _copy(event)

    def quota_count(self, quota: Quota) -> int:
        """How many complaints raised this quota's count on its day."""
        return self._quotas.get(_quota_key(quota), 0)

    def append_event(self, tracking_id: str, event: TimelineEvent, event_id: str) -> None:
        # Keyed, as in the table, by the event's time and its ID.
        self._events.setdefault(tracking_id, {}).setdefault(f"{_stamp(event.at)}#{event_id}", _copy(event))

    # -- reads ---------------------------------------------------------------------------------

    def get(self, tracking_id: str) -> Complaint:
        if tracking_id not in self._complaints:
            raise NotFound("no complaint with this tracking ID")
        return self._complaints[tracking_id]

    def timeline(self, tracking_id: str) -> list[TimelineEvent]:
        events = self._events.get(tracking_id, {})
        return [_copy(events[key]) for key in sorted(events)]

    def get_with_timeline(self, tracking_id: str) -> tuple[Complaint, list[TimelineEvent]]:
        return self.get(tracking_id), self.timeline(tracking_id)

    def get_with_recent_timeline(
        self, tracking_id: str, before: str | None = None, limit: int = TIMELINE_PAGE
    ) -> tuple[Complaint, list[TimelineEvent], str | None]:
        from aduan.aws.complaint_store import timeline_cursor, timeline_position  # the store's cursor

        end = timeline_position(before) if before is not None else None
        complaint = self.get(tracking_id)
        events = self._events.get(tracking_id, {})
        keys = [key for key in sorted(events) if end is None or f"E#{key}" < end]
        shown = keys[-limit:] if limit else []
        earlier = timeline_cursor(f"E#{shown[0]}") if len(keys) > len(shown) else None
        return complaint, [_copy(events[key]) for key in shown], earlier

    def outbox(self, tracking_id: str) -> list[dict[str, Any]]:
        return [_json(message) for message in self._outboxes.get(tracking_id, [])]

    def drop_from_outbox(self, tracking_id: str, notification_id: str) -> None:
        kept = [message for message in self.outbox(tracking_id) if message.get("id") != notification_id]
        if kept:
            self._outboxes[tracking_id] = kept
        else:
            self._outboxes.pop(tracking_id, None)

    def idempotent_response(self, key: str) -> Idempotency | None:
        record = self._idempotency.get(key)
        return record if record is not None and record.expires_at >= self.now() else None

    def due_in_shard(self, shard: int, now: datetime) -> Iterator[str]:
        due = [
            (iso(at), tracking_id)
            for tracking_id, at in self._due.items()
            if self._shard(tracking_id) == shard
        ]
        yield from (tracking_id for at, tracking_id in sorted(due) if at <= iso(now))

    def due(self, now: datetime) -> Iterator[str]:
        for shard in range(self.shards):
            yield from self.due_in_shard(shard, now)

    def _shard(self, tracking_id: str) -> int:
        return int.from_bytes(hashlib.sha256(tracking_id.encode()).digest()[:4], "big") % self.shards

    def inbox(self, agency_id: str, status: Status, *, limit: int = 50, cursor: str | None = None) -> Page:
        rows = sorted(self._held(agency_id, status), key=_inbox_key, reverse=True)
        if cursor:
            after = tuple(json.loads(base64.urlsafe_b64decode(cursor)))
            rows = [row for row in rows if _inbox_key(row) < after]
        page = rows[:limit]
        # As DynamoDB does: a full page has a cursor, even when nothing follows it.
        following = json.dumps(_inbox_key(page[-1])).encode() if len(page) == limit else None
        return Page(
            [_summary(row) for row in page],
            base64.urlsafe_b64encode(following).decode() if following else None,
        )

    def filed_between(
        self, agency_id: str, status: Status, start: datetime, end: datetime
    ) -> list[FiledComplaint]:
        rows = sorted(self._held(agency_id, status), key=_inbox_key)
        return [
            FiledComplaint.model_validate(row.model_dump(mode="json"))
            for row in rows
            if start <= row.created_at < end
        ]

    def by_reporter(self, lookup: str) -> list[str]:
        key = reporter_key(lookup, self._secret)
        mine = [
            complaint
            for complaint in self._complaints.values()
            if complaint.reporter.lookup and reporter_key(complaint.reporter.lookup, self._secret) == key
        ]
        return [complaint.tracking_id for complaint in sorted(mine, key=_inbox_key, reverse=True)]

    def _held(self, agency_id: str, status: Status) -> list[Complaint]:
        return [c for c in self._complaints.values() if c.agency_id == agency_id and c.status is status]


def _quota_key(quota: Quota) -> tuple[str, str, str]:
    return quota.day, quota.subject, quota.value


def _inbox_key(complaint: Complaint) -> tuple[str, str]:
    return _stamp(complaint.created_at), complaint.tracking_id


def _summary(complaint: Complaint) -> ComplaintSummary:
    return ComplaintSummary.model_validate(complaint.model_dump(mode="json"))


# -- delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    state: str  # in_progress or done
    lease_until: int | None = None  # whole seconds, as the table keeps it
    outcome: str | None = None


class FakeLedger:
    """The notification ledger: claims are leases in whole seconds; settled means never again."""

    def __init__(self) -> None:
        self.claims: dict[str, Claim] = {}

    def claim(self, notification_id: str, now: datetime, lease_seconds: int) -> str:
        held, second = self.claims.get(notification_id), int(now.timestamp())
        if held is None or (held.state == "in_progress" and (held.lease_until or 0) < second):
            self.claims[notification_id] = Claim("in_progress", second + lease_seconds)
            return "claimed"
        return "busy" if held.state == "in_progress" else "done"

    def settle(self, notification_id: str, outcome: str) -> None:
        if notification_id not in self.claims:
            raise ConditionFailed("settle never creates a claim")
        self.claims[notification_id] = Claim("done", outcome=outcome)

    def release(self, notification_id: str) -> None:
        held = self.claims.get(notification_id)
        if held is None or held.state != "in_progress":
            raise ConditionFailed("only a claim in progress is released")
        del self.claims[notification_id]


class FakeConversations:
    """Conversations: what was acted on, and each sender's latest message, kept 8 days."""

    KEPT = timedelta(days=8)

    def __init__(self) -> None:
        self.acted_on: dict[str, datetime] = {}  # message ID -> when its record expires
        self.windows: dict[str, datetime] = {}
        self.outgoing: dict[str, tuple[dict[str, Any], int]] = {}  # what Aduan sent: (notification, rank)
        self.drafts: dict[str, dict[str, Any]] = {}

    def seen(self, message_id: str) -> bool:
        return message_id in self.acted_on

    def remember(self, message_id: str, now: datetime) -> None:
        self.acted_on[message_id] = now + self.KEPT

    def opened(self, sender: str, at: datetime) -> None:
        at = at.replace(microsecond=0)  # the store keeps whole seconds
        if sender not in self.windows or self.windows[sender] < at:
            self.windows[sender] = at

    def last_message(self, sender: str) -> datetime | None:
        return self.windows.get(sender)

    def draft(self, sender: str, now: datetime) -> dict[str, Any] | None:
        held = self.drafts.get(sender)
        return _json(held) if held is not None else None

    def hold(self, sender: str, draft: dict[str, Any], now: datetime) -> bool:
        if sender in self.drafts:
            return False
        self.drafts[sender] = _json(draft)
        return True

    def release(self, sender: str, message_id: str) -> None:
        if self.drafts.get(sender, {}).get("message_id") == message_id:
            del self.drafts[sender]

    def sent(self, message_id: str, notification: dict[str, Any], now: datetime) -> None:
        self.outgoing[message_id] = (_json(notification), 0)

    def advanced(self, message_id: str, status: str, rank: int) -> dict[str, Any] | None:
        if message_id not in self.outgoing or self.outgoing[message_id][1] >= rank:
            return None
        notification = self.outgoing[message_id][0]
        self.outgoing[message_id] = (notification, rank)
        return notification


class FakeQueue:
    """MessageQueue, RetryQueue and BatchQueue: keeps what was sent (as JSON, as SQS would)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.delays: list[int] = []
        self.held_back: list[tuple[str, int]] = []
        self.batches: list[list[dict[str, Any]]] = []
        self._failures = 0
        self._refusals = 0
        self._received = 0

    def fail(self, times: int = 1) -> None:
        """The next `times` sends raise Unavailable and send nothing."""
        self._failures += times

    def refuse_next_batch(self) -> None:
        """The next batch is answered with every one of its messages refused."""
        self._refusals += 1

    def send(self, message: dict[str, Any], *, delay_seconds: int = 0) -> None:
        if self._failures:
            self._failures -= 1
            raise Unavailable("the queue is unavailable")
        self.sent.append(_json(message))
        self.delays.append(delay_seconds)

    def hold_back(self, receipt_handle: str, seconds: int) -> None:
        self.held_back.append((receipt_handle, seconds))

    def send_batch(self, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(messages) > 10:
            raise ValueError("a batch takes up to ten messages")
        if self._refusals:
            self._refusals -= 1
            return list(messages)
        self.batches.append([_json(message) for message in messages])
        self.sent += self.batches[-1]
        return []

    def receive(self) -> list[dict[str, Any]]:
        """The messages sent since the last receive, as the consumer gets them."""
        fresh, self._received = self.sent[self._received :], len(self.sent)
        return fresh


@dataclass
class _FakeChannel:
    sent: list[tuple[Any, ...]] = field(default_factory=list)
    attempts: int = 0
    _failures: list[DeliveryFailed] = field(default_factory=list)

    def fail(self, reason: str = "unavailable", *, permanent: bool = False, times: int = 1) -> None:
        """The next `times` sends raise DeliveryFailed(reason, permanent=permanent)."""
        self._failures += [DeliveryFailed(reason, permanent=permanent) for _ in range(times)]

    def _deliver(self, *message: Any) -> str:
        self.attempts += 1
        if self._failures:
            raise self._failures.pop(0)
        self.sent.append(message)
        return f"{type(self).__name__.lower()}-{len(self.sent)}"


class FakeSms(_FakeChannel):
    def send(self, to: str, text: str) -> str:
        return self._deliver(to, text)


class FakeEmail(_FakeChannel):
    def send(self, to: str, subject: str, text: str, html: str) -> str:
        return self._deliver(to, subject, text, html)


class FakeWhatsApp(_FakeChannel):
    """Keeps ("text", to, body) and ("template", to, name, language, parameters) of each send."""

    def send_text(self, to: str, body: str) -> str:
        return self._deliver("text", to, body)

    def send_template(self, to: str, name: str, language: str, parameters: list[str]) -> str:
        return self._deliver("template", to, name, language, list(parameters))


@dataclass
class FakeWebhook(_FakeChannel):
    """Keeps (url, payload) of each send, and whose key signed it in `signers`."""

    signers: list[tuple[str, int]] = field(default_factory=list)

    def send(self, url: str, payload: dict[str, Any], *, agency_id: str, key_version: int) -> str:
        self.signers.append((agency_id, key_version))
        return self._deliver(url, _json(payload))


def channels(
    sms: FakeSms, email: FakeEmail, webhook: FakeWebhook, whatsapp: FakeWhatsApp | None = None
) -> Channels:
    """The fake channels as the delivery use case takes them."""
    return Channels(sms=sms, email=email, webhook=webhook, whatsapp=whatsapp)


# -- evidence ------------------------------------------------------------------------------------


class FakeMedia:
    """MediaSource: the files citizens sent, by media ID, as Meta holds them."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.fetched: list[str] = []
        self._failures: list[MediaUnavailable] = []

    def add(self, media_id: str, body: bytes, content_type: str) -> None:
        self.files[media_id] = (body, content_type)

    def fail(self, reason: str = "HTTP 503", *, permanent: bool = False) -> None:
        self._failures.append(MediaUnavailable(reason, permanent=permanent))

    def media(self, media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
        self.fetched.append(media_id)
        if self._failures:
            raise self._failures.pop(0)
        if media_id not in self.files:
            raise MediaUnavailable("whatsapp 100", permanent=True)
        body, content_type = self.files[media_id]
        if len(body) > max_bytes:
            raise MediaUnavailable("too_large", permanent=True)
        return body, content_type


class FakeEvidenceBucket:
    """EvidenceBucket in memory. Its upload forms have the shape and the policy of S3's presigned
    POSTs, and `post` enforces that policy as S3 does (the key, the exact type, the size range), so
    that a story can upload as a browser would."""

    BUCKET = "aduan-evidence"
    URL = f"https://{BUCKET}.s3.ap-southeast-3.amazonaws.com/"

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}
        self.links_made = 0
        self._failures: list[Exception] = []

    def fail_next(self, error: Exception) -> None:
        """The next store raises `error` (a worker killed between two writes, S3 unavailable)."""
        self._failures.append(error)

    def upload_form(self, key: str, content_type: str, max_size: int, expires_in: int) -> dict[str, Any]:
        expiration = datetime.now(UTC) + timedelta(seconds=expires_in)
        policy = {
            "expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "conditions": [
                {"Content-Type": content_type},
                ["content-length-range", 1, max_size],
                {"bucket": self.BUCKET},
                {"key": key},
            ],
        }
        fields = {
            "Content-Type": content_type,
            "key": key,
            "policy": base64.b64encode(json.dumps(policy).encode()).decode(),
        }
        return {"url": self.URL, "fields": fields}

    def post(self, form: dict[str, Any], body: bytes, content_type: str | None = None) -> int:
        """A browser's upload with the form: 204 stored, or S3's 400 (EntityTooSmall, EntityTooLarge)
        or 403 (a field the policy does not allow)."""
        fields = dict(form["fields"])
        if content_type is not None:
            fields["Content-Type"] = content_type
        policy = json.loads(base64.b64decode(fields["policy"]))
        if datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) < datetime.now(
            UTC
        ):
            return 403
        for condition in policy["conditions"]:
            if isinstance(condition, list):
                low, high = condition[1], condition[2]
                if not low <= len(body) <= high:
                    return 400
            elif any(name != "bucket" and fields.get(name) != value for name, value in condition.items()):
                return 403
        self.objects[fields["key"]] = (body, fields["Content-Type"])
        return 204

    def link(self, key: str, expires_in: int = 300) -> str:
        self.links_made += 1
        return f"{self.URL}{key}?X-Amz-Expires={expires_in}&X-Amz-Signature=fake"

    def read(self, key: str, limit: int) -> bytes | None:
        found = self.objects.get(key)
        return None if found is None else found[0][:limit]

    def store(self, key: str, body: bytes, content_type: str) -> None:
        if self._failures:
            raise self._failures.pop(0)
        self.objects[key] = (body, content_type)

    def discard(self, key: str) -> None:
        self.objects.pop(key, None)


@dataclass
class FakeAccount:
    password: str
    groups: list[str]
    status: str = "CONFIRMED"  # FORCE_CHANGE_PASSWORD (a temporary password), RESET_REQUIRED
    mfa: bool = False
    secret_verified: bool = False


class FakeUserPool:
    """UserPool in memory, answering each step as Cognito does (tests/integration holds it to moto's).
    Codes are real TOTP codes of `MOTO_TOTP_SECRET`, the one secret moto gives every user."""

    def __init__(self) -> None:
        self.accounts: dict[str, FakeAccount] = {}
        self.mfa_lookups = 0  # AdminGetUser calls
        self.throttled = False
        self._sessions: dict[str, tuple[str, str]] = {}  # session -> (username, challenge)
        self._access: dict[str, str] = {}  # access token -> username
        self._issued = 0

    def add(self, username: str, password: str, groups: Sequence[str], *, temporary: bool = False) -> None:
        status = "FORCE_CHANGE_PASSWORD" if temporary else "CONFIRMED"
        self.accounts[username.lower()] = FakeAccount(password, list(groups), status)

    def reset_password(self, username: str) -> None:
        self.accounts[username.lower()].status = "RESET_REQUIRED"

    def sign_in(self, username: str, password: str) -> SignInStep:
        if self.throttled:
            raise TooManyAttempts(60)
        account = self.accounts.get(username.lower())
        if account is None or account.password != password:
            raise SignInRefused("wrong credentials")
        if account.status == "RESET_REQUIRED":
            raise PasswordResetRequired("reset")
        if account.status == "FORCE_CHANGE_PASSWORD":
            return self._challenge(username, "new_password")
        if account.mfa:
            return self._challenge(username, "mfa_code")
        return self._tokens(username)

    def new_password(self, username: str, session: str, new_password: str) -> SignInStep:
        account = self._session(username, session, "new_password")
        if not _meets_policy(new_password):
            raise ValidationFailed([("new_password", "password_policy", {})])
        del self._sessions[session]
        account.password, account.status = new_password, "CONFIRMED"
        return self._challenge(username, "mfa_code") if account.mfa else self._tokens(username)

    def mfa_code(self, username: str, session: str, code: str) -> SignInStep:
        self._session(username, session, "mfa_code")
        if code != totp(MOTO_TOTP_SECRET):
            raise ValidationFailed([("code", "code_mismatch", {})])
        del self._sessions[session]
        return self._tokens(username)

    def mfa_secret(self, access_token: str) -> str:
        self._user_of(access_token)
        return MOTO_TOTP_SECRET

    def enable_mfa(self, access_token: str, code: str) -> None:
        account = self.accounts[self._user_of(access_token)]
        if code != totp(MOTO_TOTP_SECRET):
            raise ValidationFailed([("code", "code_mismatch", {})])
        account.secret_verified = account.mfa = True

    def has_mfa(self, username: str) -> bool:
        self.mfa_lookups += 1
        account = self.accounts.get(username.lower())
        return account is not None and account.mfa

    def _challenge(self, username: str, challenge: str) -> SignInStep:
        self._issued += 1
        session = f"session-{self._issued}"
        self._sessions[session] = (username.lower(), challenge)
        return SignInStep(challenge=challenge, session=session)

    def _session(self, username: str, session: str, challenge: str) -> FakeAccount:
        if self._sessions.get(session) != (username.lower(), challenge):
            raise SignInRefused("invalid session", "sign_in_expired")
        return self.accounts[username.lower()]

    def _user_of(self, access_token: str) -> str:
        if access_token not in self._access:
            raise SignInRefused("invalid access token", "sign_in_expired")
        return self._access[access_token]

    def _tokens(self, username: str) -> SignInStep:
        self._issued += 1
        account = self.accounts[username.lower()]
        claims: dict[str, Any] = {"token_use": "id", "cognito:username": username.lower()}
        if account.groups:  # Cognito leaves the claim out for a user in no group
            claims["cognito:groups"] = account.groups
        access = f"access-{self._issued}"
        self._access[access] = username.lower()
        return SignInStep(id_token=unsigned_token(claims), access_token=access, expires_in=3600)


def _meets_policy(password: str) -> bool:
    """The UserPool's PasswordPolicy in template.yaml."""
    return (
        len(password) >= 12
        and any(c.islower() for c in password)
        and any(c.isupper() for c in password)
        and any(c.isdigit() for c in password)
    )


def unsigned_token(claims: dict[str, Any]) -> str:
    """A JWT-shaped token with these claims (no signature: nothing checks it in memory)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.x"


if TYPE_CHECKING:  # mypy holds each fake to the ports it stands for
    from aduan.domain.ports import (
        BatchQueue,
        ComplaintRepository,
        DueIndex,
        EmailSender,
        EvidenceBucket,
        Ledger,
        RetryQueue,
        SmsSender,
        UserPool,
        WebhookSender,
    )

    _store: ComplaintRepository = FakeComplaintStore()
    _due_index: DueIndex = FakeComplaintStore()
    _ledger: Ledger = FakeLedger()
    _queue: RetryQueue = FakeQueue()
    _batches: BatchQueue = FakeQueue()
    _sms: SmsSender = FakeSms()
    _email: EmailSender = FakeEmail()
    _webhook: WebhookSender = FakeWebhook()
    _users: UserPool = FakeUserPool()
    _bucket: EvidenceBucket = FakeEvidenceBucket()
