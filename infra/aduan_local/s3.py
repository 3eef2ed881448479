"""S3 in the local stack as a browser and a queue see it, where moto's S3 is not S3.

moto stores a POST upload without reading its policy, answers every request with
`Access-Control-Allow-Origin: *` (flask-cors, over the whole emulator), checks no presigned URL's
expiry, and sends bucket notifications without most of the fields AWS sends. Evidence uploads
(DESIGN §4.1) depend on all four, so:

- `S3Front`, a WSGI middleware in front of moto, serves the requests addressed to a bucket (path
  style, `http://127.0.0.1:<port>/<bucket>/...`): a POST upload is checked as S3 checks it
  (`aduan_local.s3_post`) before moto sees it, and refused with S3's error document; a CORS
  preflight is answered from the bucket's own CORS rules, and the other answers carry the CORS
  headers of the rule that allows them and no others; a presigned GET past its `X-Amz-Expires`
  is refused, and so is a request with no signature at all (the buckets are private). Everything
  else passes to moto unchanged.
- `install()` makes moto's notification messages AWS's: the whole event record (identity, request
  ids, the key URL-encoded as S3 encodes it, sequencer) and the test event's request ids.
"""

from __future__ import annotations

import base64
import io
import itertools
import secrets as random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus
from xml.sax.saxutils import escape

from aduan_local.resources import ACCOUNT_ID
from aduan_local.s3_post import Refusal, check_post, read_form

PARTITION = "aws"
# Who S3 names in an event: the bucket's owner and the caller (one local account, one caller).
OWNER_ID = "A3LOCALOWNER0"
PRINCIPAL_ID = f"AWS:AIDA{ACCOUNT_ID}LOCAL"
CORS_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD"})
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
WEEK = 604_800  # the longest a presigned URL may live, in seconds
SUCCESS_STATUSES = frozenset({"200", "201", "204"})

Clock = Callable[[], datetime]
Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class RequestIds:
    """What S3 calls a request in its answer and in the events the request causes."""

    request_id: str
    host_id: str
    source_ip: str

    @classmethod
    def new(cls, source_ip: str) -> RequestIds:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        request_id = "".join(random.choice(alphabet) for _ in range(16))
        return cls(request_id, base64.b64encode(random.token_bytes(56)).decode(), source_ip)


# The request a bucket is serving in this thread, for the notifications moto sends while serving it.
_serving = threading.local()
_sequence = itertools.count()


def install() -> None:
    """moto's S3 notifications in AWS's event shape, one for each object made."""
    from moto.s3 import models, notifications

    notifications._get_s3_event = event_record  # type: ignore[assignment]
    notifications._get_test_event = s3_test_event
    if not hasattr(notifications, "moto_send_event"):  # once, however many emulators start
        notifications.moto_send_event = notifications.send_event  # type: ignore[attr-defined]
        notifications.send_event = _send_event
        backend = models.S3Backend
        backend.moto_complete_multipart_upload = backend.complete_multipart_upload  # type: ignore[attr-defined]
        backend.complete_multipart_upload = _complete_multipart_upload  # type: ignore[method-assign,assignment]


def _complete_multipart_upload(backend: Any, *args: Any, **kwargs: Any) -> Any:
    """moto's, which stores the object with its PutObject (and that one's ObjectCreated:Put) before
    sending ObjectCreated:CompleteMultipartUpload: S3 sends the second alone."""
    _serving.assembling = True
    try:
        return backend.moto_complete_multipart_upload(*args, **kwargs)
    finally:
        _serving.assembling = False


def _send_event(account_id: str, event_name: str, bucket: Any, key: Any) -> None:
    from moto.s3 import notifications

    if getattr(_serving, "assembling", False) and event_name == "s3:ObjectCreated:Put":
        return
    notifications.moto_send_event(account_id, event_name, bucket, key)  # type: ignore[attr-defined]


def event_record(event_name: str, bucket: Any, key: Any, configuration_id: str) -> dict[str, Any]:
    """An S3 event notification as AWS sends it (S3's "Event message structure", version 2.1)."""
    ids = _current_ids()
    item: dict[str, Any] = {
        # S3 URL-encodes the key, a space as '+', and leaves its slashes.
        "key": quote_plus(key.name, safe="/"),
        "size": key.size,
        "eTag": key.etag.strip('"'),
    }
    if bucket.is_versioned:
        item["versionId"] = key.version_id
    item["sequencer"] = f"{time.time_ns():016X}{next(_sequence) % 256:02X}"
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": bucket.region_name,
                "eventTime": _stamp(datetime.now(UTC), milliseconds=True),
                "eventName": event_name.removeprefix("s3:"),
                "userIdentity": {"principalId": PRINCIPAL_ID},
                "requestParameters": {"sourceIPAddress": ids.source_ip},
                "responseElements": {"x-amz-request-id": ids.request_id, "x-amz-id-2": ids.host_id},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": configuration_id,
                    "bucket": {
                        "name": bucket.name,
                        "ownerIdentity": {"principalId": OWNER_ID},
                        "arn": bucket.arn,
                    },
                    "object": item,
                },
            }
        ]
    }


def s3_test_event(bucket_name: str) -> dict[str, Any]:
    """What S3 sends to a queue when a bucket's notification configuration is set."""
    ids = _current_ids()
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": _stamp(datetime.now(UTC), milliseconds=True),
        "Bucket": bucket_name,
        "RequestId": ids.request_id,
        "HostId": ids.host_id,
    }


def _current_ids() -> RequestIds:
    ids = getattr(_serving, "ids", None)
    return ids if isinstance(ids, RequestIds) else RequestIds.new("127.0.0.1")


# -- CORS, as S3 evaluates a bucket's rules ------------------------------------------------------


@dataclass(frozen=True)
class CorsRule:
    origins: tuple[str, ...]
    methods: tuple[str, ...]
    headers: tuple[str, ...]
    expose: tuple[str, ...]
    max_age: str | None

    @classmethod
    def of(cls, rule: Any) -> CorsRule:
        """From moto's stored rule."""
        return cls(
            tuple(rule.allowed_origins or ()),
            tuple(rule.allowed_methods or ()),
            tuple(rule.allowed_headers or ()),
            tuple(rule.exposed_headers or ()),
            None if rule.max_age_seconds is None else str(rule.max_age_seconds),
        )

    def allows(self, origin: str, method: str, headers: Iterable[str] = ()) -> bool:
        return (
            any(_wildcard(pattern, origin) for pattern in self.origins)
            and method in self.methods
            and all(any(_wildcard(allowed, name, fold=True) for allowed in self.headers) for name in headers)
        )

    def answer(self, origin: str) -> Headers:
        """The headers S3 adds for a request this rule allows (a preflight adds its headers too)."""
        anyone = "*" in self.origins
        headers = [
            ("Access-Control-Allow-Origin", "*" if anyone else origin),
            ("Access-Control-Allow-Methods", ", ".join(self.methods)),
        ]
        if self.expose:
            headers.append(("Access-Control-Expose-Headers", ", ".join(self.expose)))
        if self.max_age is not None:
            headers.append(("Access-Control-Max-Age", self.max_age))
        if not anyone:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        return [*headers, ("Vary", VARY)]


def preflight(rules: list[CorsRule], environ: Mapping[str, Any], resource: str) -> Headers:
    """S3's answer to an OPTIONS request: the first rule that allows the origin, the method and
    every requested header; 400 or 403 as S3 refuses it."""
    origin = environ.get("HTTP_ORIGIN") or ""
    method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if not origin:
        raise Refusal(400, "BadRequest", "Insufficient information. Origin request header needed.")
    if method not in CORS_METHODS:
        raise Refusal(400, "BadRequest", f"Invalid Access-Control-Request-Method: {method or 'null'}")
    where = {"Method": method, "ResourceType": resource}
    if not rules:
        raise Refusal(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", where)
    requested = [
        name.strip().lower()
        for name in environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "").split(",")
        if name.strip()
    ]
    rule = next((rule for rule in rules if rule.allows(origin, method, requested)), None)
    if rule is None:
        raise Refusal(
            403,
            "AccessForbidden",
            # S3's own words, its misspelling included.
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of "
            "Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers "
            "are not whitelisted by the resource's CORS spec.",
            where,
        )
    headers = rule.answer(origin)
    if requested:
        headers.insert(2, ("Access-Control-Allow-Headers", ", ".join(requested)))
    return headers


def cors_headers(rules: list[CorsRule], origin: str | None, method: str) -> Headers:
    """The CORS headers of an actual request: those of the first rule that allows it, or none."""
    if not origin:
        return []
    rule = next((rule for rule in rules if rule.allows(origin, method)), None)
    return rule.answer(origin) if rule else []


def _wildcard(pattern: str, text: str, fold: bool = False) -> bool:
    """`*` matches any run of characters (S3 allows one); headers compare without case."""
    if fold:
        pattern, text = pattern.lower(), text.lower()
    head, star, tail = pattern.partition("*")
    if not star:
        return text == pattern
    return len(text) >= len(head) + len(tail) and text.startswith(head) and text.endswith(tail)


# -- the middleware ---------------------------------------------------------------------------


class S3Front:
    """In front of moto: what S3 checks and answers for requests to a bucket (module docstring)."""

    def __init__(self, app: Any, secrets: Mapping[str, str], clock: Clock | None = None) -> None:
        self.app = app
        self.secrets = dict(secrets)  # access key id → secret: the credentials S3 would know
        self.clock = clock or (lambda: datetime.now(UTC))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        bucket = _bucket_of(environ)
        if bucket is None:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        ids = RequestIds.new(environ.get("REMOTE_ADDR") or "127.0.0.1")
        method = environ.get("REQUEST_METHOD", "GET")
        rules = [CorsRule.of(rule) for rule in bucket.cors]
        _serving.ids = ids
        try:
            status, headers, body = self._serve(environ, bucket, rules)
        except Refusal as refusal:
            status = f"{refusal.status} {HTTPStatus(refusal.status).phrase}"
            headers = [("Content-Type", "application/xml")]
            body = b"" if method == "HEAD" else _error_document(refusal, ids)
            if method != "OPTIONS":
                headers += cors_headers(rules, environ.get("HTTP_ORIGIN"), method)
        finally:
            _serving.ids = None
        headers = [*headers, ("x-amz-request-id", ids.request_id), ("x-amz-id-2", ids.host_id)]
        if method != "HEAD":  # a HEAD's length is the object's, and its body empty
            headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]

    def _serve(
        self, environ: dict[str, Any], bucket: Any, rules: list[CorsRule]
    ) -> tuple[str, Headers, bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "").strip("/")
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if method == "OPTIONS":
            return "200 OK", preflight(rules, environ, "BUCKET" if path == bucket.name else "OBJECT"), b""
        if method == "POST" and path == bucket.name and not query and "HTTP_AUTHORIZATION" not in environ:
            status, headers, body = self._upload(environ, bucket)
        else:
            if "HTTP_AUTHORIZATION" not in environ and "X-Amz-Signature" not in query:
                # The template's buckets block public access: S3 serves no anonymous request.
                raise Refusal(403, "AccessDenied", "Access Denied")
            if method in ("GET", "HEAD"):
                _check_expiry(query, self.clock())
            status, headers, body = self._moto(environ)
        # moto's own CORS headers allow every origin; S3's are the matching rule's.
        kept = [(name, value) for name, value in headers if not _is_cors_header(name)]
        return status, kept + cors_headers(rules, environ.get("HTTP_ORIGIN"), method), body

    def _upload(self, environ: dict[str, Any], bucket: Any) -> tuple[str, Headers, bytes]:
        """A browser's POST upload: checked against its policy, then stored by moto as sent."""
        if not environ.get("CONTENT_LENGTH"):
            raise Refusal(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        form = read_form(environ.get("CONTENT_TYPE", ""), body)
        check_post(
            form, bucket=bucket.name, region=bucket.region_name, secrets=self.secrets, now=self.clock()
        )
        environ["wsgi.input"] = io.BytesIO(body)
        status, headers, reply = self._moto(environ)
        values = form.values()
        if not status.startswith("2") or "success_action_redirect" in values or "redirect" in values:
            return status, headers, reply
        stored = _backend().get_object(bucket.name, values["key"])
        location = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST')}/{bucket.name}/"
        location += quote(values["key"], safe="")
        headers = [*headers, ("ETag", stored.etag), ("Location", location)]
        if bucket.is_versioned:
            headers.append(("x-amz-version-id", stored.version_id))
        # S3 answers 200, 201 or 204 (any other success_action_status is 204); moto echoes the field.
        wanted = values.get("success_action_status", "204")
        wanted = wanted if wanted in SUCCESS_STATUSES else "204"
        status = f"{wanted} {HTTPStatus(int(wanted)).phrase}"
        headers = [(name, value) for name, value in headers if name.lower() != "content-type"]
        if wanted != "201":
            return status, headers, b""  # an empty answer, and no Content-Type (as S3's)
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{escape(location)}</Location><Bucket>{escape(bucket.name)}</Bucket>"
            f"<Key>{escape(values['key'])}</Key><ETag>{escape(stored.etag)}</ETag></PostResponse>"
        )
        return status, [*headers, ("Content-Type", "application/xml")], document.encode()

    def _moto(self, environ: dict[str, Any]) -> tuple[str, Headers, bytes]:
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            answer["status"], answer["headers"] = status, list(headers)
            return lambda _data: None

        body = b"".join(self.app(environ, start_response))
        return answer["status"], answer["headers"], body


def _backend() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT_ID][PARTITION]


def _bucket_of(environ: Mapping[str, Any]) -> Any:
    """The bucket a request is addressed to (path style), or None for any other service's request."""
    if "HTTP_X_AMZ_TARGET" in environ:
        return None
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if authorization and "/s3/aws4_request" not in authorization:
        return None
    name = environ.get("PATH_INFO", "").lstrip("/").split("/", 1)[0]
    return _backend().buckets.get(name) if name else None


def _check_expiry(query: dict[str, list[str]], now: datetime) -> None:
    """A presigned URL past its X-Amz-Date + X-Amz-Expires is refused (moto checks neither)."""
    if "X-Amz-Date" not in query or "X-Amz-Expires" not in query:
        return
    expires = query["X-Amz-Expires"][0]
    try:
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        seconds = int(expires)
    except ValueError:
        return  # moto answers what it answers: this stack does not check presigned signatures
    if seconds < 0:
        raise Refusal(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be non-negative")
    if seconds > WEEK:
        raise Refusal(
            400,
            "AuthorizationQueryParametersError",
            f"X-Amz-Expires must be less than a week (in seconds) that is; {WEEK}",
        )
    ends = signed + timedelta(seconds=seconds)
    if now > ends:
        raise Refusal(
            403,
            "AccessDenied",
            "Request has expired",
            {"X-Amz-Expires": expires, "Expires": _stamp(ends), "ServerTime": _stamp(now)},
        )


def _error_document(refusal: Refusal, ids: RequestIds) -> bytes:
    elements = {"Code": refusal.code, "Message": refusal.message, **refusal.details}
    elements |= {"RequestId": ids.request_id, "HostId": ids.host_id}
    inner = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in elements.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


def _is_cors_header(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("access-control-") or lowered == "vary"


def _stamp(moment: datetime, milliseconds: bool = False) -> str:
    moment = moment.astimezone(UTC)
    if milliseconds:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
