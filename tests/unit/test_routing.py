"""The routing decision: category from the words, region from the place names, agency from the rules.

The accuracy test runs every case of tests/data/routing_cases.json (realistic complaints written
for this: web and SMS style, both Tangerangs, other regencies, no place at all) and prints the
misses with the decision's own reason (`pytest -s` shows them).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aduan.domain.reference import ReferenceData, load_seed
from aduan.domain.routing_decision import RoutingDecision, decide, tokens
from tests.factories import PROVINCE_EDUCATION, with_province_education_rule

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "data" / "routing_cases.json").read_text(encoding="utf-8"))
REQUIRED_ACCURACY = 0.90


@pytest.fixture(scope="module")
def reference() -> ReferenceData:
    return load_seed(ROOT / "infra" / "seed")


def route(reference: ReferenceData, description: str, title: str = "", **fields: Any) -> RoutingDecision:
    return decide(
        title,
        description,
        fields.get("address"),
        fields.get("category"),
        fields.get("region_code"),
        reference,
    )


def outcome(decision: RoutingDecision) -> str:
    return (
        decision.agency_id
        if decision.confident and decision.agency_id
        else f"triage:{decision.coordinator_id}"
    )


# -- accuracy over the written cases --------------------------------------------------------------


def test_the_case_file_covers_every_category_and_outcome(reference: ReferenceData) -> None:
    assert len(CASES) >= 70
    expected = {case["expected"] for case in CASES}
    routed_categories = {
        rule.category
        for rule in reference.rules
        if rule.agency_id in expected and rule.region_prefix == "36.03"
    }
    assert routed_categories == {category.code for category in reference.categories} - {"lainnya"}
    assert {case["triage_for"] for case in CASES if case["expected"] == "triage"} == {
        "kab-tangerang",
        "kota-tangerang",
        "prov-banten",
        "kemenpanrb",
    }
    assert "kota-tangerang.disdukcapil" in expected


def test_routing_accuracy_on_written_complaints(reference: ReferenceData) -> None:
    misses = []
    for number, case in enumerate(CASES):
        decision = route(
            reference,
            case["description"],
            case["title"],
            address=case.get("address"),
            category=case.get("category"),
            region_code=case.get("region_code"),
        )
        want = case["expected"] if case["expected"] != "triage" else f"triage:{case['triage_for']}"
        if outcome(decision) != want:
            misses.append(
                f"#{number} want {want}, got {outcome(decision)}\n"
                f"    {case['title']!r} {case['description']!r}\n    {decision.reason_id}"
            )
    accuracy = 1 - len(misses) / len(CASES)
    report = (
        f"routing accuracy {accuracy:.1%} ({len(CASES) - len(misses)}/{len(CASES)}); misses:\n"
        + "\n".join(misses)
    )
    print(report)
    assert accuracy >= REQUIRED_ACCURACY, report


# -- the stories ----------------------------------------------------------------------------------


def test_e_ktp_in_cikupa_without_a_category_reaches_kab_tangerang_disdukcapil(
    reference: ReferenceData,
) -> None:
    decision = route(reference, "e-KTP saya di Cikupa belum jadi sejak tiga bulan", "e-KTP belum jadi")

    assert decision.confident
    assert decision.agency_id == "kab-tangerang.disdukcapil"
    assert decision.holder_id == "kab-tangerang.disdukcapil"
    assert decision.coordinator_id == "kab-tangerang"
    assert (decision.category, decision.region_code) == ("kependudukan", "36.03.18")
    assert "kependudukan" in decision.reason_id
    assert "'e-KTP'" in decision.reason_id
    assert "36.03.18" in decision.reason_id
    assert "'Cikupa'" in decision.reason_id
    assert decision.reason_en.startswith("category kependudukan from the words 'e-KTP'")
    assert decision.reason("en") == decision.reason_en


def test_a_report_in_kota_tangerang_reaches_kota_tangerang_disdukcapil(reference: ReferenceData) -> None:
    by_code = route(reference, "Akta kelahiran anak saya belum terbit", region_code="36.71")
    by_text = route(reference, "Akta kelahiran anak saya belum terbit", address="Karawaci, Kota Tangerang")

    assert by_code.agency_id == by_text.agency_id == "kota-tangerang.disdukcapil"
    assert by_code.confident
    assert by_text.confident
    assert by_text.region_code == "36.71.07"


def test_a_report_naming_no_known_place_goes_to_national_triage(reference: ReferenceData) -> None:
    decision = route(reference, "Sudah enam bulan e-KTP saya belum jadi, tolong dibantu.")

    assert not decision.confident
    assert decision.needs_triage
    assert decision.category == "kependudukan"
    assert decision.region_code is None
    assert decision.agency_id is None
    assert decision.holder_id == decision.coordinator_id == "kemenpanrb"
    assert "tidak ada nama wilayah yang dikenali" in decision.reason_id


def test_the_most_specific_rule_wins(reference: ReferenceData) -> None:
    with_province_rule = with_province_education_rule(reference)
    in_kabupaten = route(with_province_rule, "Guru di SDN Cikupa sering tidak masuk")
    in_lebak = route(with_province_rule, "Guru di SDN Malingping sering tidak masuk")

    assert (in_kabupaten.agency_id, in_kabupaten.rule.region_prefix) == ("kab-tangerang.dindik", "36.03")  # type: ignore[union-attr]
    assert (in_lebak.agency_id, in_lebak.coordinator_id) == (PROVINCE_EDUCATION, "prov-banten")
    assert in_lebak.confident


def test_a_regency_without_rules_goes_to_its_coordinator_or_the_province(reference: ReferenceData) -> None:
    kota = route(reference, "Jalan berlubang di Kelurahan Poris Plawad, Cipondoh")
    tangsel = route(reference, "Jalan Raya Pamulang rusak parah dan berlubang")

    assert (kota.confident, kota.region_code, kota.coordinator_id) == (False, "36.71.05", "kota-tangerang")
    assert "tidak ada aturan untuk infrastruktur di 36.71.05" in kota.reason_id
    assert (tangsel.confident, tangsel.coordinator_id) == (False, "prov-banten")


@pytest.mark.parametrize(
    "spelling", ["e-KTP", "eKTP", "E KTP", "KTP-el", "ktp elektronik", "E-ktp!!!", "ktpnya"]
)
def test_case_punctuation_and_hyphens_do_not_matter(reference: ReferenceData, spelling: str) -> None:
    decision = route(reference, f"{spelling} belum jadi, kec. Balaraja")
    assert (decision.category, decision.agency_id, decision.confident) == (
        "kependudukan",
        "kab-tangerang.disdukcapil",
        True,
    )


def test_sms_abbreviations_are_read(reference: ReferenceData) -> None:
    decision = route(reference, "jln dpn pasar balaraja rusak bgt, byk lubang. tlg diperbaiki")
    assert decision.agency_id == "kab-tangerang.pupr"
    assert decision.confident
    assert [token.word for token in tokens("yg tdk sdh blm gk dgn jln anak2")] == [
        "yang", "tidak", "sudah", "belum", "tidak", "dengan", "jalan", "anak",
    ]  # fmt: skip


def test_s_slash_d_is_not_a_primary_school(reference: ReferenceData) -> None:
    decision = route(reference, "antre dari jam 8 s/d jam 12 di Cikupa")
    assert decision.category is None


def test_a_district_beats_its_regency(reference: ReferenceData) -> None:
    decision = route(reference, "Sampah menumpuk", address="Kabupaten Tangerang, Kecamatan Balaraja")
    assert decision.region_code == "36.03.01"


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Kantong kresek berserakan di depan rumah", None),
        ("Sampah menumpuk di Kecamatan Kresek", "36.03.06"),
        ("Sampah menumpuk di Kresek, Kab. Tangerang", "36.03.06"),
        ("Larangan merokok tidak dipatuhi", None),
        ("Puskesmas Larangan, Kota Tangerang", "36.71.13"),
        ("Jalan berlubang di Kota Bandung", None),
        ("Banjir di Cibitung, Bekasi", None),
    ],
)
def test_district_names_that_are_everyday_words_need_context(
    reference: ReferenceData, text: str, region: str | None
) -> None:
    assert route(reference, text).region_code == region


def test_a_bare_tangerang_is_the_province_s_to_triage(reference: ReferenceData) -> None:
    decision = route(reference, "Saya tinggal di Tangerang, e-KTP saya belum jadi")
    assert (decision.region_code, decision.confident, decision.coordinator_id) == ("36", False, "prov-banten")
    assert "bisa berarti beberapa tempat" in decision.reason_id


def test_other_evidence_settles_an_ambiguous_name(reference: ReferenceData) -> None:
    assert route(reference, "Got mampet di Curug, Tangerang").region_code == "36.03.17"
    assert route(reference, "Got mampet di Curug, Kota Serang").region_code == "36.73.04"
    assert route(reference, "Jalan rusak di Kragilan, Serang").region_code == "36.04.11"


def test_a_road_named_after_a_town_does_not_place_the_complaint(reference: ReferenceData) -> None:
    decision = route(reference, "Sampah di Jl. Raya Serang KM 20, Cikupa tidak diangkut")
    assert decision.region_code == "36.03.18"


def test_gading_serpong_is_in_kabupaten_tangerang(reference: ReferenceData) -> None:
    assert route(reference, "Jalan berlubang di Gading Serpong").region_code == "36.03.28"
    assert route(reference, "Jalan berlubang di Serpong").region_code == "36.74.01"


def test_misconduct_outweighs_the_service_it_happened_in(reference: ReferenceData) -> None:
    decision = route(reference, "Oknum di kecamatan Rajeg meminta uang Rp150 ribu untuk e-KTP", "Pungli KTP")
    assert (decision.category, decision.agency_id) == ("pungli", "kab-tangerang.inspektorat")


def test_an_uncertain_category_is_a_proposal_for_the_coordinator(reference: ReferenceData) -> None:
    decision = route(reference, "Rumah kami di Sepatan kebanjiran lagi", "Kebanjiran")
    assert not decision.confident
    assert decision.holder_id == "kab-tangerang"
    assert "kategori belum pasti" in decision.reason_id


def test_the_reporter_s_category_and_region_are_trusted(reference: ReferenceData) -> None:
    decision = route(
        reference, "Fasilitas umum perlu diperbaiki", category="infrastruktur", region_code="36.03"
    )
    assert (decision.agency_id, decision.confident) == ("kab-tangerang.pupr", True)
    assert decision.reason_id.startswith("kategori infrastruktur dipilih pelapor; wilayah 36.03")


def test_a_place_in_the_text_refines_the_reporter_s_region(reference: ReferenceData) -> None:
    decision = route(reference, "Antrean poli di puskesmas lama", address="Cikupa", region_code="36.03")
    assert (decision.region_code, decision.agency_id) == ("36.03.18", "kab-tangerang.dinkes")
    contradicting = route(
        reference, "Antrean poli di puskesmas lama", address="Karawaci", region_code="36.03"
    )
    assert contradicting.region_code == "36.03"  # the reporter's choice stands


def test_lainnya_always_needs_triage(reference: ReferenceData) -> None:
    decision = route(reference, "Mohon info jam buka", category="lainnya", region_code="36.03")
    assert (decision.confident, decision.holder_id) == (False, "kab-tangerang")


def test_routing_imports_nothing_heavy() -> None:
    probe = (
        "import sys, aduan.domain.routing_decision;"
        "print(sorted(m for m in ('boto3', 'botocore', 'holidays') if m in sys.modules))"
    )
    result = subprocess.run(  # a fresh interpreter: this one has imported everything already
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"


# -- robustness -----------------------------------------------------------------------------------

place_or_noise = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["Cikupa", "Kec. Kresek", "Tangerang", "Curug", "Kota Serang", "jl raya serang", "Tangsel"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(max_size=120),
    description=st.lists(place_or_noise, max_size=8).map(" ".join),
    address=st.one_of(st.none(), place_or_noise),
    category=st.one_of(
        st.none(), st.sampled_from(["kependudukan", "lainnya", "", "tidak-ada"]), st.text(max_size=12)
    ),
    region_code=st.one_of(
        st.none(), st.sampled_from(["36.03", "36.71.07", "36", "31.71", "", "36..03"]), st.text(max_size=12)
    ),
)
def test_decide_never_raises_on_arbitrary_text(
    reference: ReferenceData,
    title: str,
    description: str,
    address: str | None,
    category: str | None,
    region_code: str | None,
) -> None:
    decision = decide(title, description, address, category, region_code, reference)
    assert reference.agency(decision.holder_id) is not None
    assert decision.reason_id
    assert decision.reason_en
    assert not decision.confident or decision.agency_id == decision.holder_id
