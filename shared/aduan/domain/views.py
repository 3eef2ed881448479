"""Every view of a complaint, one function per audience: the public view (never the reporter's
identity), the operator's full view (identity only where the role may see it) and the inbox row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aduan.domain.api_texts import (
    ATTACHMENT_KINDS,
    ATTACHMENT_REASONS,
    CHANNELS,
    ESCALATION_RECIPIENTS,
    EVENTS,
    UPLOADERS,
    render,
    status_text,
)
from aduan.domain.lifecycle import OPERATOR_ACTIONS, allowed_actions
from aduan.domain.models import (
    Actor,
    Attachment,
    AttachmentState,
    Complaint,
    ComplaintSummary,
    Language,
    Privacy,
    Role,
    TimelineEvent,
)
from aduan.domain.ports import Names
from aduan.domain.tracking import display_form

# A stored attachment's links, (file, thumbnail or None), each a short-lived presigned GET: built
# from the evidence bucket by the caller (`aduan.domain.evidence.links`), so that a view stays pure
# and a view without them touches no bucket.
Links = Callable[[Attachment], tuple[str, str | None]]


def event_text(event: TimelineEvent, complaint: Complaint, names: Names, language: Language) -> str:
    data = event.data
    agency = names.agency_name(data.get("agency_id") or complaint.agency_id)
    values: dict[str, Any] = {
        "agency": agency,
        "from_agency": names.agency_name(data.get("from_agency_id")),
        "channel": render(CHANNELS, str(data.get("channel", complaint.channel)), language),
        "rating": data.get("rating", ""),
        "reason": data.get("reason", ""),
        "days": data.get("days", ""),
    }
    if event.type.startswith("attachment_"):
        # The reporter, or the agency that added it: never an official's name.
        by = event.actor
        values["uploader"] = (
            render(UPLOADERS, by.role.value, language)
            if by.role in (Role.CITIZEN, Role.NATIONAL)
            else names.agency_name(by.agency_id)
        )
        kind = "document" if data.get("content_type") == "application/pdf" else "photo"
        values["attachment"] = render(ATTACHMENT_KINDS, kind, language)
        values["reason"] = render(ATTACHMENT_REASONS, str(data.get("reason", "")), language)
    if event.type == "escalated":
        values["recipient"] = render(
            ESCALATION_RECIPIENTS,
            str(data.get("level", 1)),
            language,
            agency=agency,
            coordinator=names.agency_name(data.get("coordinator_id") or complaint.coordinator_id),
        )
    return render(EVENTS, event.type, language, **values)


def public_view(
    complaint: Complaint,
    timeline: list[TimelineEvent],
    names: Names,
    language: Language,
    *,
    with_access_code: bool,
    links: Links | None = None,
) -> dict[str, Any]:
    """The tracking page's view: public for anyone with the ID, details with the access code.

    Never the reporter's identity; for a confidential report the caller must have checked the
    access code before calling this at all. Attachments are counted for anyone; with the access
    code and `links`, they are listed with their links.
    """
    view: dict[str, Any] = {
        "tracking_id": complaint.tracking_id,
        "tracking_id_display": display_form(complaint.tracking_id),
        "title": complaint.title,
        "classification": complaint.classification,
        "category": (
            {"code": complaint.category, "name": names.category_name(complaint.category, language)}
            if complaint.category
            else None
        ),
        "status": complaint.status,
        "status_text": status_text(complaint.status, language),
        "agency": (
            {"id": complaint.agency_id, "name": names.agency_name(complaint.agency_id)}
            if complaint.agency_id
            else None
        ),
        "due_at": complaint.clock.due_at if complaint.clock and complaint.clock.due_at else None,
        "escalation_level": complaint.escalation_level,
        "privacy": complaint.privacy,
        "created_at": complaint.created_at,
        "timeline": [
            {"type": event.type, "at": event.at, "text": event_text(event, complaint, names, language)}
            for event in timeline
            if event.public
        ],
    }
    if with_access_code or complaint.privacy is not Privacy.CONFIDENTIAL:
        view["description"] = complaint.description
        view["region_code"] = complaint.location.region_code
    view["attachments_count"] = len(_added(complaint))
    if with_access_code and links is not None:
        view["attachments"] = attachment_list(complaint, links)
    return view


def _added(complaint: Complaint) -> list[Attachment]:
    return [a for a in complaint.attachments if a.state is AttachmentState.ADDED]


def attachment_list(complaint: Complaint, links: Links) -> list[dict[str, Any]]:
    """The added attachments with their links (a PDF has no thumbnail): never a file's name."""
    rows = []
    for attachment in _added(complaint):
        url, thumbnail_url = links(attachment)
        rows.append(
            {
                "attachment_id": attachment.attachment_id,
                "content_type": attachment.stored_type or attachment.content_type,
                "url": url,
                "thumbnail_url": thumbnail_url,
            }
        )
    return rows


def may_see_identity(complaint: Complaint, actor: Actor) -> bool:
    """The national administrator always; an agency or coordinator only for a public report."""
    return actor.role is Role.NATIONAL or not complaint.privacy.hides_identity_from_agency


def operator_view(
    complaint: Complaint,
    timeline: list[TimelineEvent],
    actor: Actor,
    reference: Names,
    language: Language,
    links: Links | None = None,
) -> dict[str, Any]:
    """Everything an operator works with: the full timeline, the allowed actions, identity if
    allowed, and the attachments with their links (`links`; counted only without)."""
    view: dict[str, Any] = {
        "tracking_id": complaint.tracking_id,
        "tracking_id_display": display_form(complaint.tracking_id),
        "title": complaint.title,
        "description": complaint.description,
        "classification": complaint.classification,
        "category": (
            {"code": complaint.category, "name": reference.category_name(complaint.category, language)}
            if complaint.category
            else None
        ),
        "location": complaint.location.model_dump(mode="json"),
        "incident_date": complaint.incident_date,
        "status": complaint.status,
        "status_text": status_text(complaint.status, language),
        "privacy": complaint.privacy,
        "channel": complaint.channel,
        "language": complaint.language,
        "agency": (
            {"id": complaint.agency_id, "name": reference.agency_name(complaint.agency_id)}
            if complaint.agency_id
            else None
        ),
        "coordinator_id": complaint.coordinator_id,
        "due_at": complaint.clock.due_at if complaint.clock and complaint.clock.due_at else None,
        "clock": complaint.clock.model_dump(mode="json") if complaint.clock else None,
        "escalation_level": complaint.escalation_level,
        "ombudsman_flag": complaint.ombudsman_flag,
        "rating": complaint.rating,
        "version": complaint.version,
        "created_at": complaint.created_at,
        "reporter": complaint.reporter.model_dump(mode="json")
        if may_see_identity(complaint, actor)
        else None,
        "allowed_actions": [a.value for a in allowed_actions(complaint, actor) if a in OPERATOR_ACTIONS],
        "timeline": [
            {
                "type": event.type,
                "at": event.at,
                "text": event_text(event, complaint, reference, language),
                "actor": event.actor.model_dump(mode="json"),
                "public": event.public,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "data": event.data,
            }
            for event in timeline
        ],
        "attachments_count": len(_added(complaint)),
    }
    if links is not None:
        view["attachments"] = attachment_list(complaint, links)
    return view


def inbox_row(summary: ComplaintSummary, language: Language, overdue: bool) -> dict[str, Any]:
    """One line of an agency's inbox: no description and no identity."""
    return {
        "tracking_id": summary.tracking_id,
        "tracking_id_display": display_form(summary.tracking_id),
        "title": summary.title,
        "category": summary.category,
        "status": summary.status,
        "status_text": status_text(summary.status, language),
        "privacy": summary.privacy,
        "due_at": summary.clock.due_at if summary.clock and summary.clock.due_at else None,
        "overdue": overdue,
        "escalation_level": summary.escalation_level,
        "created_at": summary.created_at,
        "version": summary.version,
    }
