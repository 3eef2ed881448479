"""Domain errors. Each has a stable code; the HTTP layer maps codes to statuses in one place."""

from __future__ import annotations


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
