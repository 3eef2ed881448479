"""Reference data: the seed files load, agree with DESIGN §1, and answer lookups by region prefix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aduan.domain.errors import InvalidReferenceData
from aduan.domain.models import AgencyKind
from aduan.domain.reference import ReferenceData, Region, covers, load_seed, parse_seed, read_seed
from tests.factories import PROVINCE_EDUCATION, with_province_education_rule

SEED_DIR = Path(__file__).resolve().parents[2] / "infra" / "seed"


@pytest.fixture(scope="module")
def seed() -> ReferenceData:
    return load_seed(SEED_DIR)


@pytest.fixture
def documents() -> dict[str, Any]:
    return read_seed(SEED_DIR)


def test_the_agencies_other_tools_depend_on_are_seeded(seed: ReferenceData) -> None:
    expected = {
        "kemenpanrb": (AgencyKind.NATIONAL, None, None),
        "prov-banten": (AgencyKind.COORDINATOR, "36", "kemenpanrb"),
        "kab-tangerang": (AgencyKind.COORDINATOR, "36.03", "prov-banten"),
        "kota-tangerang": (AgencyKind.COORDINATOR, "36.71", "prov-banten"),
        "kota-tangerang.disdukcapil": (AgencyKind.AGENCY, "36.71", "kota-tangerang"),
    }
    for unit in ("disdukcapil", "dinkes", "dindik", "pupr", "dlhk", "dinsos"):
        expected[f"kab-tangerang.{unit}"] = (AgencyKind.AGENCY, "36.03", "kab-tangerang")
    for agency_id, (kind, region, parent) in expected.items():
        agency = seed.agency(agency_id)
        assert agency is not None, agency_id
        assert (agency.kind, agency.region_code, agency.parent_id) == (kind, region, parent)
    assert seed.agency("kab-tangerang.disdukcapil").categories == ("kependudukan",)  # type: ignore[union-attr]
    assert seed.national.id == "kemenpanrb"


def test_agencies_have_real_names_and_example_contacts_only(seed: ReferenceData) -> None:
    disdukcapil = seed.agency("kab-tangerang.disdukcapil")
    assert disdukcapil is not None
    assert disdukcapil.name == "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang"
    for agency in seed.agencies:
        assert agency.timezone == "Asia/Jakarta"  # Banten is WIB
        assert all(email.endswith(".example") for email in agency.emails), agency.id
        assert all(number.startswith("+62812000000") for number in agency.sms_numbers), agency.id


def test_the_category_list_is_the_designs(seed: ReferenceData) -> None:
    assert [category.code for category in seed.categories] == [
        "kependudukan", "kesehatan", "pendidikan", "infrastruktur", "lingkungan", "transportasi",
        "bansos", "ketertiban", "perizinan", "pungli", "lainnya",
    ]  # fmt: skip
    assert seed.category_list()[0] == {
        "code": "kependudukan",
        "name_id": "Administrasi Kependudukan",
        "name_en": "Civil Registration",
    }


def test_every_category_but_lainnya_has_keywords(seed: ReferenceData) -> None:
    with_keywords = {entry.category for entry in seed.keywords if entry.keywords}
    assert with_keywords == {category.code for category in seed.categories} - {"lainnya"}


def test_every_agency_receives_complaints_through_a_rule(seed: ReferenceData) -> None:
    routed = {rule.agency_id for rule in seed.rules}
    unrouted = [
        agency.id for agency in seed.agencies if agency.kind is AgencyKind.AGENCY and agency.id not in routed
    ]
    assert unrouted == []


def test_the_gazetteer_has_banten_with_kemendagri_codes(seed: ReferenceData) -> None:
    regencies = {region.code: region.name for region in seed.regions if region.level == "regency"}
    assert regencies == {
        "36.01": "Kabupaten Pandeglang",
        "36.02": "Kabupaten Lebak",
        "36.03": "Kabupaten Tangerang",
        "36.04": "Kabupaten Serang",
        "36.71": "Kota Tangerang",
        "36.72": "Kota Cilegon",
        "36.73": "Kota Serang",
        "36.74": "Kota Tangerang Selatan",
    }
    districts = [region for region in seed.regions if region.level == "district"]
    assert len(districts) == 155  # every kecamatan of Banten
    assert all(
        region.parent_code in regencies and covers(region.parent_code, region.code) for region in districts
    )


@pytest.mark.parametrize(
    ("name", "regency"),
    [
        ("Cikupa", "36.03"),
        ("Balaraja", "36.03"),
        ("Pasar Kemis", "36.03"),
        ("Tigaraksa", "36.03"),
        ("Ciledug", "36.71"),
        ("Karawaci", "36.71"),
        ("Pamulang", "36.74"),
        ("Rangkasbitung", "36.02"),
    ],
)
def test_districts_sit_in_their_regency(seed: ReferenceData, name: str, regency: str) -> None:
    (region,) = [region for region in seed.regions if region.name == name]
    assert region.parent_code == regency


def test_curug_is_a_district_of_two_regencies(seed: ReferenceData) -> None:
    assert {region.code for region in seed.regions if region.name == "Curug"} == {"36.03.17", "36.73.04"}
    assert seed.region("36.03.18").name == "Cikupa"  # type: ignore[union-attr]


def test_people_s_spellings_are_aliases(seed: ReferenceData) -> None:
    assert "Tangsel" in seed.region("36.74").aliases  # type: ignore[union-attr]
    assert "Pasarkemis" in seed.region("36.03.12").aliases  # type: ignore[union-attr]
    assert "Kab. Tangerang" in seed.region("36.03").aliases  # type: ignore[union-attr]
    assert "Kresek" in seed.region("36.03.06").context_names  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "exists"),
    [
        ("36", True),
        ("36.03", True),
        ("36.03.18", True),
        ("36.03.18.2001", True),  # a village under a known district
        ("36.03.21", False),  # moved to Tangerang Selatan in 2008, never reused
        ("36.99", False),
        ("31.71", False),  # Jakarta is not in this deployment's gazetteer
        ("36.03.99.2001", False),
        ("36.03.18.20", False),
    ],
)
def test_region_exists(seed: ReferenceData, code: str, exists: bool) -> None:
    assert seed.region_exists(code) is exists


@pytest.mark.parametrize(
    ("region", "coordinator"),
    [
        ("36.03.18", "kab-tangerang"),
        ("36.03.18.2001", "kab-tangerang"),
        ("36.03", "kab-tangerang"),
        ("36.71.07", "kota-tangerang"),
        ("36.74.06", "prov-banten"),  # Tangerang Selatan has no coordinator seeded
        ("36", "prov-banten"),
        ("31.71", "kemenpanrb"),
        (None, "kemenpanrb"),
        ("", "kemenpanrb"),
    ],
)
def test_the_most_specific_coordinator_covers_a_region(
    seed: ReferenceData, region: str | None, coordinator: str
) -> None:
    assert seed.coordinator_for(region).id == coordinator


def test_prefixes_match_whole_segments() -> None:
    assert covers("36.03", "36.03.18")
    assert covers("36.03", "36.03")
    assert not covers("36.03", "36.031")
    assert not covers("36.0", "36.03")


def test_the_answerable_coordinator_of_an_agency_is_its_nearest_coordinator(seed: ReferenceData) -> None:
    assert seed.coordinator_of("kab-tangerang.disdukcapil").id == "kab-tangerang"
    assert seed.coordinator_of("kab-tangerang").id == "kab-tangerang"
    assert seed.coordinator_of("no-such-agency").id == "kemenpanrb"


@pytest.mark.parametrize(
    ("category", "region", "agency"),
    [
        ("kependudukan", "36.03.18", "kab-tangerang.disdukcapil"),
        ("kependudukan", "36.03.18.2001", "kab-tangerang.disdukcapil"),
        ("kependudukan", "36.71.06", "kota-tangerang.disdukcapil"),
        ("infrastruktur", "36.03.01", "kab-tangerang.pupr"),
        ("kesehatan", "36.71", None),  # Kota Tangerang has only its Disdukcapil seeded
        ("kependudukan", "36.74", None),
        ("lainnya", "36.03", None),
        ("kependudukan", None, None),
        (None, "36.03", None),
    ],
)
def test_rule_for_a_category_and_region(
    seed: ReferenceData, category: str | None, region: str | None, agency: str | None
) -> None:
    rule = seed.rule_for(category, region)
    assert (rule.agency_id if rule else None) == agency


def test_the_most_specific_rule_wins(seed: ReferenceData) -> None:
    data = with_province_education_rule(seed)
    assert data.rule_for("pendidikan", "36.03.18").agency_id == "kab-tangerang.dindik"  # type: ignore[union-attr]
    assert data.rule_for("pendidikan", "36.02.01").agency_id == PROVINCE_EDUCATION  # type: ignore[union-attr]


def test_timezone_follows_the_coordinator(seed: ReferenceData) -> None:
    assert seed.timezone_for("36.03.18") == "Asia/Jakarta"
    assert seed.timezone_for(None) == "Asia/Jakarta"


def test_the_public_agency_list_has_no_contacts(seed: ReferenceData) -> None:
    (entry,) = [agency for agency in seed.agency_list() if agency["id"] == "kab-tangerang.disdukcapil"]
    assert entry == {
        "id": "kab-tangerang.disdukcapil",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tangerang",
        "kind": "agency",
        "parent_id": "kab-tangerang",
        "region_code": "36.03",
        "categories": ["kependudukan"],
    }


def test_two_loads_of_the_same_data_are_equal_whatever_the_order(documents: dict[str, Any]) -> None:
    shuffled = {
        kind: list(reversed(items)) if isinstance(items, list) else items for kind, items in documents.items()
    }
    shuffled["categories"] = documents["categories"]  # category order is meaningful (the web form's)
    assert parse_seed(shuffled) == parse_seed(documents)


def _problems(documents: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidReferenceData) as raised:
        parse_seed(documents)
    return raised.value.problems


def test_a_rule_naming_an_unknown_agency_is_refused(documents: dict[str, Any]) -> None:
    documents["rules"].append(
        {"category": "kesehatan", "region_prefix": "36.71", "agency_id": "kota-tangerang.dinkes"}
    )
    assert _problems(documents) == ["rule kesehatan#36.71: unknown agency kota-tangerang.dinkes"]


def test_a_rule_sending_complaints_to_another_regency_s_agency_is_refused(documents: dict[str, Any]) -> None:
    documents["rules"].append(
        {"category": "kependudukan", "region_prefix": "36.74", "agency_id": "kab-tangerang.disdukcapil"}
    )
    assert _problems(documents) == [
        "rule kependudukan#36.74: agency kab-tangerang.disdukcapil serves 36.03",
    ]


def test_an_agency_must_handle_the_categories_its_rules_send(documents: dict[str, Any]) -> None:
    documents["rules"].append(
        {"category": "kesehatan", "region_prefix": "36.03.18", "agency_id": "kab-tangerang.pupr"}
    )
    assert _problems(documents) == [
        "rule kesehatan#36.03.18: agency kab-tangerang.pupr does not handle kesehatan"
    ]


def test_duplicates_cycles_and_a_missing_national_administrator_are_refused(
    documents: dict[str, Any],
) -> None:
    agencies = {agency["id"]: agency for agency in documents["agencies"]}
    agencies["kemenpanrb"]["kind"] = "coordinator"
    agencies["kemenpanrb"]["parent_id"] = "kab-tangerang"
    documents["agencies"].append(dict(agencies["kota-tangerang"]))
    problems = _problems(documents)
    assert "duplicate agency kota-tangerang" in problems
    assert any("exactly one national administrator" in problem for problem in problems)
    assert "agency kab-tangerang: its parents form a cycle" in problems


def test_unknown_categories_and_regions_are_refused(documents: dict[str, Any]) -> None:
    documents["keywords"]["parkir"] = [{"weight": 3, "phrases": ["juru parkir"]}]
    documents["regions"].append(
        {"code": "36.75", "name": "Kota Baru", "level": "regency", "parent_code": "37"}
    )
    assert _problems(documents) == [
        "region 36.75: unknown parent 37",
        "region 36.75: parent 37 does not contain it",
        "keywords for unknown category parkir",
    ]


def test_context_names_must_be_names_of_the_region() -> None:
    with pytest.raises(ValidationError, match=re.escape("not names of 36.03.06")):
        Region(
            code="36.03.06", name="Kresek", level="district", parent_code="36.03", context_names=("Kresk",)
        )


def test_a_missing_or_broken_seed_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidReferenceData, match="missing seed file"):
        load_seed(tmp_path)
    for name in ("agencies", "categories", "rules", "regions", "keywords"):
        (tmp_path / f"{name}.json").write_text("[]")
    (tmp_path / "rules.json").write_text("[{")
    with pytest.raises(InvalidReferenceData, match=re.escape("rules.json: not valid JSON")):
        load_seed(tmp_path)


def test_regions_json_is_one_region_a_line_for_reviewable_diffs() -> None:
    lines = (SEED_DIR / "regions.json").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 164 + 1
    assert json.loads(lines[1].rstrip(","))["code"] == "36"
