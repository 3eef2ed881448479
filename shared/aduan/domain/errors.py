"""Every error the domain and the use cases raise on purpose. A `DomainError` has a stable code,
which the HTTP layer maps to a status in one place (`aduan.doors.http_api`)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidTransition(DomainError):
    """The action is not possible from the complaint's current status."""

    code = "invalid_transition"


class Forbidden(DomainError):
    """The actor's role or agency does not allow the action."""

    code = "forbidden"


class NotFound(DomainError):
    """No such complaint (or one the caller may not know exists)."""

    code = "not_found"


class Conflict(DomainError):
    """Someone else changed the complaint first: re-read and try again."""

    code = "conflict"


class InvalidTrackingId(DomainError):
    """The text cannot be a tracking ID (wrong characters, length or check character)."""

    code = "invalid_tracking_id"


class ValidationFailed(DomainError):
    """Fields the caller must correct: details are (field, code, values) for the message catalogue."""

    code = "validation_failed"

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        super().__init__("some fields need correcting")
        self.problems = problems


class TextHeld(ValidationFailed):
    """Words to an anonymous or confidential reporter that could make them known (a link, a request
    for their NIK or address): held until the operator sends them again with `confirm`."""

    code = "text_held"


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused for a different request."""

    code = "idempotency_mismatch"


class RateLimited(DomainError):
    """Today's allowance of complaints to this destination or from this client is used up
    (`aduan.domain.allowance`): 429 with Retry-After, and a detail naming the field when the
    destination is one the request gave."""

    code = "rate_limited"

    def __init__(self, subject: str, limit: int, retry_after: int, field: str | None = None) -> None:
        super().__init__("today's allowance is used up", subject=subject, retry_after=retry_after)
        self.retry_after = retry_after
        self.problems: list[tuple[str, str, dict[str, Any]]] = (
            [(field, f"daily_limit_{subject}", {"limit": limit})] if field else []
        )


class MalformedRequest(DomainError):
    """A request without what every request of its kind carries (a webhook without its message ID):
    details name the `field`."""

    code = "malformed_request"


class SignInRefused(DomainError):
    """Wrong username or password, said the same way for a user that does not exist (`unauthorized`),
    or a sign-in step whose session has expired (`sign_in_expired`): 401 either way."""

    code = "unauthorized"

    def __init__(self, message: str, code: str = "unauthorized") -> None:
        super().__init__(message)
        self.code = code


class PasswordResetRequired(DomainError):
    """An administrator reset the account's password: it signs in again only with a new one."""

    code = "password_reset_required"


class AccountNotConfirmed(DomainError):
    """The account exists but was never confirmed."""

    code = "account_not_confirmed"


class MfaRequired(DomainError):
    """A coordinator or national administrator without two-step sign-in (TOTP): 403 until enrolled."""

    code = "mfa_required"


class TooManyAttempts(DomainError):
    """The user pool throttled sign-in attempts: 429 with Retry-After."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many sign-in attempts", retry_after=retry_after)


class PrivacyNotRaised(DomainError):
    """A change of a complaint's privacy that is not a raise within its window (`reason`:
    `not_higher` or `window_closed`)."""

    code = "privacy_not_raised"


# -- not answered to a client: errors between the domain and its workers ---------------------------


class InvalidReferenceData(ValueError):
    """The seed contradicts itself (a rule naming an unknown agency, a parent that does not exist...)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid reference data:\n  " + "\n  ".join(problems))
        self.problems = problems


class InvalidSignature(Exception):
    """A webhook did not come from our gateway: answer 403 and store nothing."""


class DeliveryFailed(Exception):
    """A channel could not deliver; `permanent` says whether trying again can help."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class MediaUnavailable(Exception):
    """A file a citizen sent by WhatsApp could not be fetched from Meta; `permanent` says whether
    trying again can help (an expired or unknown media ID cannot; a timeout may)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class RetryLater(Exception):
    """Not delivered this time, for a reason that may pass: let the queue bring it back (after
    `delay` seconds when given, else after the delivery policy's growing backoff)."""

    def __init__(self, reason: str, delay: int | None = None) -> None:
        super().__init__(reason)
        self.delay: int | None = delay
