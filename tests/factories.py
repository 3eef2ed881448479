"""Complaints as a story needs them, with realistic Indonesian values."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from aduan.domain.models import Agency, AgencyKind, Complaint, Location, Reporter
from aduan.domain.reference import ReferenceData, RoutingRule
from aduan.domain.tracking import access_code_hash, access_code_key, new_tracking_id
from tests.privacy import IDENTITIES

ASSIGNED_AT = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB
# The access codes' pepper, derived as the functions derive it from the reporter-key secret.
ACCESS_KEY = access_code_key(b"fake-secret")


def complaint(**overrides: Any) -> Complaint:
    tracking_id = overrides.pop("tracking_id", None) or new_tracking_id()
    fields: dict[str, Any] = {
        "tracking_id": tracking_id,
        "title": "KTP elektronik belum jadi setelah tiga bulan",
        "description": (
            "Saya merekam e-KTP di Kecamatan Cikupa pada bulan Desember, sampai sekarang belum jadi."
        ),
        "category": "kependudukan",
        "location": Location(region_code="36.03", address="Kecamatan Cikupa, Kabupaten Tangerang"),
        "reporter": Reporter(name="Siti Aminah", phone="+6281234567890"),
        "access_code_hash": access_code_hash(tracking_id, "ABCD2345", ACCESS_KEY),
        "created_at": ASSIGNED_AT,
        "updated_at": ASSIGNED_AT,
    }
    fields.update(overrides)
    made = Complaint(**fields)
    # A complaint a test writes straight into a store never passes `report`: its reporter joins
    # the identities no log line may carry here.
    IDENTITIES.reporter(made.reporter.model_dump())
    return made


PROVINCE_EDUCATION = "prov-banten.dindikbud"


def with_province_education_rule(reference: ReferenceData) -> ReferenceData:
    """The seed plus a province-wide education agency and its rule (region prefix 36), to show
    that the most specific rule wins where a regency has its own."""
    province = Agency(
        id=PROVINCE_EDUCATION,
        name="Dinas Pendidikan dan Kebudayaan Provinsi Banten",
        kind=AgencyKind.AGENCY,
        parent_id="prov-banten",
        region_code="36",
        categories=("pendidikan",),
    )
    return ReferenceData(
        agencies=(*reference.agencies, province),
        categories=reference.categories,
        rules=(
            *reference.rules,
            RoutingRule(category="pendidikan", region_prefix="36", agency_id=province.id),
        ),
        regions=reference.regions,
        keywords=reference.keywords,
    )


SEED = Path(__file__).resolve().parents[1] / "infra" / "seed"


@cache
def seed() -> ReferenceData:
    """The real seed (infra/seed), read once per session: agencies such as kab-tangerang.disdukcapil."""
    from aduan.domain.reference import load_seed

    return load_seed(SEED)
