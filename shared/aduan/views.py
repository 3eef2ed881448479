"""What each audience may see of a complaint. The public view never carries reporter identity."""

from __future__ import annotations

from typing import Any, Protocol

from aduan.messages import CHANNELS, ESCALATION_RECIPIENTS, EVENTS, render, status_text
from aduan.models import Complaint, Language, Privacy, TimelineEvent
from aduan.tracking import display_form


class Names(Protocol):
    """Names of agencies and categories, in the reader's language."""

    def agency_name(self, agency_id: str | None) -> str: ...

    def category_name(self, code: str, language: Language) -> str: ...


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
) -> dict[str, Any]:
    """The tracking page's view: public for anyone with the ID, details with the access code.

    Never the reporter's identity; for a confidential report the caller must have checked the
    access code before calling this at all.
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
    return view
