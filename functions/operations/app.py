"""The operators' API (/ops): sign-in step by step, inbox, full complaint view, actions, statistics.
Behind the HTTP API's JWT authorizer, except the sign-in (/ops/session*)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from aduan.accounts import MfaGate, actor_from_claims, answer_challenge, mfa_setup, sign_in
from aduan.attachment import request_upload
from aduan.domain import evidence
from aduan.domain.api_texts import language_of
from aduan.domain.models import Language, Status
from aduan.domain.tracking import canonical_form
from aduan.doors import edge, http_api
from aduan.doors.runtime import Runtime
from aduan.observability import logger
from aduan.operations import (
    FIRST_REPORT_DAY,
    LAST_REPORT_DAY,
    ActionRequest,
    act,
    inbox,
    operator_view,
    statistics,
    view_complaint,
)

runtime = Runtime.from_environment(
    "table_name",
    "notification_queue_url",
    "reporter_key_secret",
    "user_pool_client_id",
    "user_pool_id",
    "origin_secret",
)
app = APIGatewayHttpResolver(enable_validation=True)
mfa = MfaGate()  # per warm container

Username = Field(min_length=1, max_length=128)
Session = Field(min_length=20, max_length=4096)  # Cognito's sessions have 20 to 2048 characters


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Username
    password: str = Field(min_length=1, max_length=256)


class Challenge(BaseModel):
    """The answer to a sign-in step: a new password, or the authenticator app's code."""

    model_config = ConfigDict(extra="forbid")

    username: str = Username
    session: str = Session
    new_password: str | None = Field(default=None, min_length=1, max_length=256)
    code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class MfaSetup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Username
    session: str = Session


def _language() -> Language:
    return language_of(None, app.current_event.headers.get("accept-language"))


def _actor() -> Any:
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    actor = actor_from_claims(claims)
    mfa.check(actor, runtime.user_pool)
    return actor


@app.post("/ops/session")
def session(credentials: Annotated[SignIn, Body()]) -> dict[str, Any]:
    """An operator's username and password for a token, or the next step (Cognito USER_PASSWORD_AUTH)."""
    return sign_in(credentials.username, credentials.password, users=runtime.user_pool())


@app.post("/ops/session/challenge")
def challenge(answer: Annotated[Challenge, Body()]) -> dict[str, Any]:
    """A new password or a code for the step `POST /ops/session` asked for: the token or the next step."""
    return answer_challenge(
        answer.username,
        answer.session,
        new_password=answer.new_password,
        code=answer.code,
        users=runtime.user_pool(),
    )


@app.post("/ops/session/mfa")
def enrol(request: Annotated[MfaSetup, Body()]) -> dict[str, Any]:
    """The TOTP secret of an enrolment (the `mfa_setup` step, or one an operator was offered)."""
    return mfa_setup(request.username, request.session, users=runtime.user_pool())


@app.get("/ops/me")
def me() -> dict[str, Any]:
    actor = _actor()
    return {
        "username": actor.user_id,
        "role": actor.role,
        "agency_id": actor.agency_id,
        "agency_name": runtime.reference().agency_name(actor.agency_id),
    }


@app.get("/ops/complaints")
def list_complaints(
    status: Annotated[Status | None, Query()] = None,
    overdue: Annotated[bool, Query()] = False,
    due_within_days: Annotated[int | None, Query(ge=0, le=365)] = None,
    order: Annotated[Literal["newest", "urgent"], Query()] = "newest",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """The caller's agency's complaints: by status, overdue only, newest or most urgent first."""
    return inbox(
        _actor(),
        complaints=runtime.complaints(),
        language=_language(),
        now=datetime.now(UTC),
        status=status,
        overdue=overdue,
        due_within_days=due_within_days,
        order=order,
        cursor=cursor,
        limit=limit,
    )


@app.get("/ops/complaints/<tracking_id>")
def complaint(
    tracking_id: str, timeline_before: Annotated[str | None, Query(max_length=300)] = None
) -> dict[str, Any]:
    """A complaint with its newest events (older ones a page further) and the actions the caller
    may take now."""
    return view_complaint(
        tracking_id.upper(),
        _actor(),
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        language=_language(),
        timeline_before=timeline_before,
        bucket=runtime.evidence_bucket,  # built only to link a stored attachment
    )


@app.post("/ops/complaints/<tracking_id>/actions")
def take_action(tracking_id: str, request: Annotated[ActionRequest, Body()]) -> dict[str, Any]:
    """Take one action on the version the operator saw; 409 when someone else acted first."""
    actor = _actor()
    store, reference = runtime.complaints(), runtime.reference()
    changed = act(
        tracking_id.upper(),
        request,
        actor,
        complaints=store,
        reference=reference,
        notifications=runtime.notification_queue(),
        now=datetime.now(UTC),
    )
    logger.info("operator action", extra={"tracking_id": changed.tracking_id, "action": request.action})
    _, timeline, earlier = store.get_with_recent_timeline(changed.tracking_id)
    links = evidence.links(runtime.evidence_bucket, changed.tracking_id)
    view = operator_view(changed, timeline, actor, reference, _language(), links)
    return view | {"timeline_before": earlier}


@app.post("/ops/complaints/<tracking_id>/attachments")
def attach(tracking_id: str, request: Annotated[evidence.AttachmentRequest, Body()]) -> Response[Any]:
    """A form to upload one photo or PDF of the follow-up (S3 presigned POST, valid 15 minutes),
    for a complaint in the caller's scope: 201."""
    upload = request_upload(
        tracking_id.upper(),
        request,
        _actor(),
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        bucket=runtime.evidence_bucket(),
        now=datetime.now(UTC),
    )
    logger.info(
        "upload form given",
        extra={"tracking_id": canonical_form(tracking_id), "attachment_id": upload["attachment_id"]},
    )
    return Response(201, content_types.APPLICATION_JSON, upload)


@app.get("/ops/stats")
def stats(
    start: Annotated[date | None, Query(alias="from", ge=FIRST_REPORT_DAY, le=LAST_REPORT_DAY)] = None,
    end: Annotated[date | None, Query(alias="to", ge=FIRST_REPORT_DAY, le=LAST_REPORT_DAY)] = None,
) -> dict[str, Any]:
    """Monthly-report figures for a date range (default: the last 30 days), for coordinators and
    the national administrator."""
    today = datetime.now(UTC).date()
    first = start or today - timedelta(days=30)
    last = end or today
    return statistics(
        _actor(),
        complaints=runtime.complaints(),
        reference=runtime.reference(),
        start=datetime.combine(first, time(0), UTC),
        end=datetime.combine(last + timedelta(days=1), time(0), UTC),
    )


http_api.answer_errors(app, _language)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return (
        edge.refused(event, runtime.origin_secret)
        or http_api.guard(event)
        or http_api.in_time(context, lambda: app.resolve(event, context), _language)
    )
