"""An S3 POST upload checked as S3 checks it: the form, the SigV4 signature of its policy, the
policy's expiration and every one of its conditions, and the size of the file.

moto stores whatever a POST sends. S3 refuses an upload its policy does not allow, and Aduan's
evidence uploads rely on that refusal (DESIGN §4.1: the size, the type and the key are enforced by
the policy, not by the browser). Codes and messages are S3's as recorded against it where a record
exists (docs/local-stack.md, "S3 uploads", says which are and which follow other emulators).
No I/O here: the caller gives the body, the bucket, the secrets and the time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Field, File, MultipartDecoder

ALGORITHM = "AWS4-HMAC-SHA256"
# The fields S3 needs no condition for (SigV4's list; `x-ignore-` names are ignored too).
UNCONDITIONED = frozenset({"x-amz-signature", "policy", "file"})
# SigV4 POST's own fields, named as S3 names them when one is missing.
AUTH_FIELDS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Signature", "Policy")
EXPIRATION_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")
POLICY_KEYS = frozenset({"expiration", "conditions"})


@dataclass
class Refusal(Exception):
    """An S3 error answer: its status, code and message, and the elements S3 adds to it."""

    status: int
    code: str
    message: str
    details: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


@dataclass(frozen=True)
class PostForm:
    """The fields before the file, as sent (S3 ignores what follows the file), and the file."""

    fields: list[tuple[str, str]]
    file_size: int
    files: int

    def values(self) -> dict[str, str]:
        """Field values by lowercase name (S3's names are case-insensitive; repeated ones are joined
        with commas, as S3 joins them)."""
        joined: dict[str, list[str]] = {}
        for name, value in self.fields:
            joined.setdefault(name.lower(), []).append(value)
        return {name: ",".join(values) for name, values in joined.items()}


def read_form(content_type: str, body: bytes) -> PostForm:
    """The form of a POST upload; 412 if it is not multipart/form-data, 400 if it is malformed."""
    kind, options = parse_options_header(content_type)
    if kind != "multipart/form-data":
        raise Refusal(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
            {"Condition": "Bucket POST must be of the enclosure-type multipart/form-data"},
        )
    malformed = Refusal(
        400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data."
    )
    if not options.get("boundary"):
        raise malformed
    decoder = MultipartDecoder(options["boundary"].encode())
    decoder.receive_data(body)
    decoder.receive_data(None)
    fields: list[tuple[str, str]] = []
    files = file_size = 0
    reading: str | None = None  # the part being read: a field's name, "file", or None (ignored)
    past_file = False  # S3 ignores every field after the file
    value = bytearray()
    while True:
        try:
            event = decoder.next_event()
        except ValueError as error:
            raise malformed from error
        if event is NEED_DATA or isinstance(event, Epilogue):
            break
        if isinstance(event, Field | File):
            # The file is the part named `file`, with or without a file name (S3 takes either).
            is_file = event.name.lower() == "file"
            files += is_file
            reading = None if past_file else "file" if is_file else event.name
            value.clear()
        elif isinstance(event, Data) and reading == "file":
            file_size += len(event.data)
            past_file = not event.more_data
        elif isinstance(event, Data) and reading is not None:
            value.extend(event.data)
            if not event.more_data:
                fields.append((reading, value.decode("utf-8", errors="replace")))
    return PostForm(fields, file_size, files)


def check_post(
    form: PostForm, *, bucket: str, region: str, secrets: Mapping[str, str], now: datetime
) -> None:
    """Refuse the upload as S3 would, or return if S3 would store it."""
    values = form.values()
    if "key" not in values:
        raise _missing("key")
    if form.files != 1:
        raise Refusal(
            400,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
            {"ArgumentName": "file", "ArgumentValue": str(form.files)},
        )
    if "awsaccesskeyid" in values or "signature" in values:
        # Jakarta opened after January 2014: S3 there takes Signature Version 4 only.
        raise Refusal(
            400,
            "InvalidRequest",
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
        )
    present = [name for name in AUTH_FIELDS if name.lower() in values]
    if present in ([], ["Policy"]):
        # No signature: an anonymous request, which only a publicly writable bucket takes.
        raise Refusal(403, "AccessDenied", "Access Denied")
    for name in AUTH_FIELDS:
        if name.lower() not in values:
            raise _missing(name)
    _check_signature(values, region, secrets)
    policy = _policy(values["policy"])
    if now > policy["expiration"]:
        raise Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    covered, ranges = _check_conditions(policy["conditions"], values, bucket)
    extra = sorted(
        name for name in values if name not in covered | UNCONDITIONED and not name.startswith("x-ignore-")
    )
    if extra:
        raise _denied("Extra input fields: " + ", ".join(extra))
    for low, high in ranges:
        if form.file_size > high:
            raise Refusal(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
                {"ProposedSize": str(form.file_size), "MaxSizeAllowed": str(high)},
            )
        if form.file_size < low:
            raise Refusal(
                400,
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                {"ProposedSize": str(form.file_size), "MinSizeAllowed": str(low)},
            )


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    """SigV4's signing key for one day, region and service."""
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def post_signature(policy: str, secret: str, date: str, region: str) -> str:
    """The x-amz-signature of a POST policy: the HMAC of its base64 text, as sent."""
    return hmac.new(signing_key(secret, date, region), policy.encode(), hashlib.sha256).hexdigest()


def _check_signature(values: dict[str, str], region: str, secrets: Mapping[str, str]) -> None:
    if values["x-amz-algorithm"] != ALGORITHM:
        raise Refusal(
            400,
            "InvalidArgument",
            f'X-Amz-Algorithm only supports "{ALGORITHM}"',
            {"ArgumentName": "X-Amz-Algorithm", "ArgumentValue": values["x-amz-algorithm"]},
        )
    credential = values["x-amz-credential"]
    parts = credential.split("/")
    argument = {"ArgumentName": "X-Amz-Credential", "ArgumentValue": credential}
    if len(parts) != 5 or parts[3] != "s3" or parts[4] != "aws4_request" or not _is_day(parts[1]):
        raise Refusal(
            400,
            "InvalidArgument",
            'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
            argument,
        )
    access_key, date, scope_region = parts[0], parts[1], parts[2]
    if not access_key:
        raise Refusal(
            400,
            "InvalidArgument",
            "a non-empty Access Key (AKID) must be provided in the credential.",
            argument,
        )
    if access_key not in secrets:
        raise Refusal(
            403,
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            {"AWSAccessKeyId": access_key},
        )
    if scope_region != region:
        raise Refusal(
            400,
            "InvalidArgument",
            f"the region '{scope_region}' is wrong; expecting '{region}'",
            {**argument, "Region": region},
        )
    expected = post_signature(values["policy"], secrets[access_key], date, region)
    if not hmac.compare_digest(expected, values["x-amz-signature"]):
        raise Refusal(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            {
                "AWSAccessKeyId": access_key,
                "StringToSign": values["policy"],
                "SignatureProvided": values["x-amz-signature"],
                "StringToSignBytes": " ".join(f"{byte:02x}" for byte in values["policy"].encode()),
            },
        )


def _policy(text: str) -> dict[str, Any]:
    """The policy document, its expiration parsed; 400 InvalidPolicyDocument if it is not one."""
    try:
        decoded = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise _invalid("invalid Base64 encoding.") from error
    try:
        document = json.loads(decoded.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _invalid("Invalid JSON.") from error
    if not isinstance(document, dict):
        raise _invalid("Invalid JSON.")
    for key in document:
        if key not in POLICY_KEYS:
            raise _invalid(f"Unexpected: '{key.lower()}'")
    if "expiration" not in document:
        raise _invalid("Policy missing expiration.")
    if "conditions" not in document:
        raise _invalid("Policy missing conditions.")
    if not isinstance(document["conditions"], list):
        raise _invalid("Invalid 'conditions' value: must be a List.")
    expiration = document["expiration"]
    for form in EXPIRATION_FORMATS:
        try:
            document["expiration"] = datetime.strptime(str(expiration), form).replace(tzinfo=UTC)
            break
        except ValueError:
            continue
    else:
        raise _invalid(f"Invalid 'expiration' value: '{expiration}'")
    return document


def _check_conditions(
    conditions: list[Any], values: dict[str, str], bucket: str
) -> tuple[set[str], list[tuple[int, int]]]:
    """Every condition in order, the first that fails refused (403, printed as S3 prints it); the
    field names they cover, and the size ranges they set."""
    covered: set[str] = set()
    ranges: list[tuple[int, int]] = []
    for condition in conditions:
        if isinstance(condition, dict):
            if len(condition) != 1:
                raise _invalid(
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
                )
            ((name, value),) = condition.items()
            if not isinstance(value, str):
                raise _invalid("Invalid Simple-Condition: value must be a string.")
            operation, target, printed = "eq", f"${name}", ["eq", f"${name}", value]
        elif isinstance(condition, list):
            if not condition or not isinstance(condition[0], str):
                raise _invalid("Invalid Condition: missing operation identifier.")
            operation = condition[0].lower()
            if operation not in ("eq", "starts-with", "content-length-range"):
                raise _invalid(f"Invalid Condition: unknown operation '{condition[0]}'.")
            if len(condition) != 3:
                raise _invalid(f"Invalid {condition[0]}: wrong number of arguments.")
            printed = condition
            if operation == "content-length-range":
                ranges.append(_size_range(condition))
                continue
            target, value = condition[1], condition[2]
            if not isinstance(target, str) or not isinstance(value, str):
                raise _invalid("Invalid JSON.")
        else:
            raise _invalid("Invalid condition test: must be a List or Object.")
        if not target.startswith("$"):
            raise _denied("Policy Condition failed: " + json.dumps(printed))
        name = target[1:].lower()
        covered.add(name)
        actual = bucket if name == "bucket" else values.get(name)
        if actual is None or not _holds(operation, name, actual, value):
            raise _denied("Policy Condition failed: " + json.dumps(printed))
    return covered, ranges


def _holds(operation: str, name: str, actual: str, value: str) -> bool:
    if operation == "eq":
        return actual == value
    if name == "content-type":  # a list of types: each must start so
        return all(item.strip().startswith(value) for item in actual.split(","))
    return actual.startswith(value)


def _size_range(condition: list[Any]) -> tuple[int, int]:
    bounds = []
    for bound in condition[1:]:
        if isinstance(bound, float):
            raise _invalid("Invalid JSON.")  # S3's answer to a bound such as 512.0
        if isinstance(bound, bool) or not (
            isinstance(bound, int) or (isinstance(bound, str) and bound.isdigit())
        ):
            raise _denied("Policy Condition failed: " + json.dumps(condition))
        bounds.append(int(bound))
    return bounds[0], bounds[1]


def _is_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return True


def _missing(name: str) -> Refusal:
    return Refusal(
        400,
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  "  # two spaces, as S3 writes it
        "If it is specified, please check the order of the fields.",
        {"ArgumentName": name, "ArgumentValue": ""},
    )


def _denied(reason: str) -> Refusal:
    return Refusal(403, "AccessDenied", f"Invalid according to Policy: {reason}")


def _invalid(reason: str) -> Refusal:
    return Refusal(400, "InvalidPolicyDocument", f"Invalid Policy: {reason}")
