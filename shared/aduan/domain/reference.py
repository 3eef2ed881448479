"""Reference data: agencies, categories, routing rules, the gazetteer and the classifier's words.

All of it is data (DESIGN §1 "Routing"): seeded from the JSON files in infra/seed, stored in the
table under `REF#...` partitions (aduan.aws.reference_store), and read here into one immutable
`ReferenceData` that answers the questions routing and intake ask. Pure: no boto3, and no I/O
apart from `load_seed`, which reads the seed files.

Region codes are Kemendagri's dotted codes; "36.03" covers "36.03.18" and "36.03.18.2001", never
"36.030". Matching is by whole segments throughout.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aduan.domain.errors import InvalidReferenceData
from aduan.domain.models import Agency, AgencyKind, Category
from aduan.domain.webhooks import url_problem

NATIONAL_TIMEZONE = "Asia/Jakarta"
SEED_FILES = {
    "agencies": "agencies.json",
    "categories": "categories.json",
    "rules": "rules.json",
    "regions": "regions.json",
    "keywords": "keywords.json",
}
_CODE_PATTERN = r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$"

T = TypeVar("T")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegionLevel(StrEnum):
    PROVINCE = "province"  # provinsi, 36
    REGENCY = "regency"  # kabupaten or kota, 36.03
    DISTRICT = "district"  # kecamatan, 36.03.18


class Region(_Model):
    """A place of the gazetteer, by its Kemendagri code."""

    code: str = Field(pattern=_CODE_PATTERN)
    name: str
    level: RegionLevel
    parent_code: str | None = None
    aliases: tuple[str, ...] = ()
    # Names (the official one or aliases) that are everyday words or places elsewhere ("Kresek" is
    # a plastic bag, "Bandung" a city in West Java): routing trusts them only after "kecamatan" or
    # next to their regency (aduan.domain.routing_decision).
    context_names: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _context_names_are_names(self) -> Region:
        unknown = set(self.context_names) - {self.name, *self.aliases}
        if unknown:
            raise ValueError(f"context_names {sorted(unknown)} are not names of {self.code}")
        return self


class RoutingRule(_Model):
    """(category, region prefix) → agency. The most specific prefix that covers a region wins."""

    category: str
    region_prefix: str = Field(pattern=_CODE_PATTERN)
    agency_id: str

    @property
    def key(self) -> str:
        return f"{self.category}#{self.region_prefix}"


class Keyword(_Model):
    """A word or phrase that points to a category, with how strongly it does."""

    phrase: str = Field(min_length=1)
    weight: float = Field(gt=0)


class CategoryKeywords(_Model):
    """The classifier's words for one category (infra/seed/keywords.json)."""

    category: str
    keywords: tuple[Keyword, ...]


def covers(prefix: str, code: str) -> bool:
    """True if region `prefix` contains region `code` (or is it): "36.03" covers "36.03.18"."""
    return code == prefix or code.startswith(prefix + ".")


def related(a: str, b: str) -> bool:
    """True if one region contains the other: both can describe the same place."""
    return covers(a, b) or covers(b, a)


def ancestors(code: str) -> list[str]:
    """The code and every region above it, most specific first: 36.03.18 → 36.03.18, 36.03, 36."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


@dataclass(frozen=True)
class ReferenceData:
    """Everything routing and intake look up, checked for consistency when built."""

    agencies: tuple[Agency, ...]
    categories: tuple[Category, ...]
    rules: tuple[RoutingRule, ...]
    regions: tuple[Region, ...]
    keywords: tuple[CategoryKeywords, ...] = ()
    _agencies: dict[str, Agency] = field(init=False, repr=False, compare=False)
    _categories: dict[str, Category] = field(init=False, repr=False, compare=False)
    _rules: dict[tuple[str, str], RoutingRule] = field(init=False, repr=False, compare=False)
    _regions: dict[str, Region] = field(init=False, repr=False, compare=False)
    _memo: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Canonical order, so that two loads of the same data compare equal whatever order the
        # files or the table returned them in.
        canonical = {
            "agencies": tuple(sorted(self.agencies, key=lambda agency: agency.id)),
            "categories": tuple(self.categories),
            "rules": tuple(sorted(self.rules, key=lambda rule: (rule.category, rule.region_prefix))),
            "regions": tuple(sorted(self.regions, key=lambda region: _code_order(region.code))),
            "keywords": tuple(sorted(self.keywords, key=lambda entry: entry.category)),
            "_agencies": {agency.id: agency for agency in self.agencies},
            "_categories": {category.code: category for category in self.categories},
            "_rules": {(rule.category, rule.region_prefix): rule for rule in self.rules},
            "_regions": {region.code: region for region in self.regions},
            "_memo": {},
        }
        for name, value in canonical.items():
            object.__setattr__(self, name, value)
        problems = self._problems()
        if problems:
            raise InvalidReferenceData(problems)

    # -- agencies ---------------------------------------------------------------------------------

    def agency(self, agency_id: str) -> Agency | None:
        """The agency with this ID, or None."""
        return self._agencies.get(agency_id)

    @property
    def national(self) -> Agency:
        """The national administrator (KemenPAN-RB): triage of last resort, level-3 escalations."""
        return next(agency for agency in self.agencies if agency.kind is AgencyKind.NATIONAL)

    def coordinator_for(self, region_code: str | None) -> Agency:
        """The most specific coordinator whose region covers `region_code`; the national
        administrator when none does (or no region is known)."""
        if region_code:
            coordinators = {
                agency.region_code: agency
                for agency in self.agencies
                if agency.kind is AgencyKind.COORDINATOR and agency.region_code
            }
            for code in ancestors(region_code):
                if code in coordinators:
                    return coordinators[code]
        return self.national

    def coordinator_of(self, agency_id: str) -> Agency:
        """The coordinator answerable for an agency: its nearest coordinator (or national) ancestor."""
        agency = self._agencies.get(agency_id)
        while agency is not None:
            if agency.kind is not AgencyKind.AGENCY:
                return agency
            agency = self._agencies.get(agency.parent_id) if agency.parent_id else None
        return self.national

    def timezone_for(self, region_code: str | None) -> str:
        """The time zone deadlines count in for a complaint placed in `region_code` (its coordinator's)."""
        return self.coordinator_for(region_code).timezone or NATIONAL_TIMEZONE

    def agency_name(self, agency_id: str | None) -> str:
        """The agency's name, or its ID when unknown (a timeline outlives renamed agencies)."""
        agency = self._agencies.get(agency_id) if agency_id else None
        return agency.name if agency else (agency_id or "")

    def agency_contacts(self, agency_id: str, channel: str) -> list[str]:
        """Where an agency's operators are told: its SMS numbers, emails or webhook URL."""
        agency = self._agencies.get(agency_id)
        if agency is None:
            return []
        if channel == "sms":
            return list(agency.sms_numbers)
        if channel == "email":
            return list(agency.emails)
        return [agency.webhook_url] if agency.webhook_url else []

    def agency_list(self) -> list[dict[str, Any]]:
        """Agencies as the public API shows them: no contact details."""
        return [
            agency.model_dump(
                mode="json", include={"id", "name", "kind", "parent_id", "region_code", "categories"}
            )
            for agency in self.agencies
        ]

    # -- categories -------------------------------------------------------------------------------

    def category(self, code: str) -> Category | None:
        """The category with this code, or None."""
        return self._categories.get(code)

    def category_exists(self, code: str) -> bool:
        """True for a category of the list (`lainnya` included)."""
        return code in self._categories

    def category_name(self, code: str, language: str) -> str:
        category = self._categories.get(code)
        if category is None:
            return code
        return category.name_en if str(language) == "en" else category.name_id

    def category_list(self) -> list[dict[str, Any]]:
        """Categories in seed order, as the public API shows them."""
        return [category.model_dump(mode="json") for category in self.categories]

    # -- regions ----------------------------------------------------------------------------------

    def region_list(
        self, level: RegionLevel | None = None, parent_code: str | None = None
    ) -> list[dict[str, Any]]:
        """Regions as the public API shows them (code, name, level, parent), in code order."""
        return [
            region.model_dump(mode="json", include={"code", "name", "level", "parent_code"})
            for region in sorted(self._regions.values(), key=lambda r: _code_order(r.code))
            if (level is None or region.level is level)
            and (parent_code is None or region.parent_code == parent_code)
        ]

    def region(self, code: str) -> Region | None:
        """The gazetteer entry for a code, or None (villages are not in the gazetteer)."""
        return self._regions.get(code)

    def region_exists(self, code: str) -> bool:
        """True for a code of the gazetteer, or a village code (36.03.18.2001) under a known district:
        villages are too many to seed, and their district is what routing uses."""
        if code in self._regions:
            return True
        parts = code.split(".")
        return (
            len(parts) == 4
            and len(parts[3]) == 4
            and parts[3].isdigit()
            and ".".join(parts[:3]) in self._regions
        )

    def place_name(self, code: str) -> str:
        """A readable name: "Cikupa, Kabupaten Tangerang" for 36.03.18 (the code itself if unknown)."""
        chain = [region for c in ancestors(code) if (region := self._regions.get(c)) is not None]
        if len(chain) > 1:  # "Cikupa, Kabupaten Tangerang": the province goes without saying
            chain = [region for region in chain if region.level is not RegionLevel.PROVINCE]
        return ", ".join(region.name for region in chain) or code

    # -- rules ------------------------------------------------------------------------------------

    def rule_for(self, category: str | None, region_code: str | None) -> RoutingRule | None:
        """The rule for a category at the most specific region prefix covering `region_code`."""
        if not category or not region_code:
            return None
        for code in ancestors(region_code):
            rule = self._rules.get((category, code))
            if rule is not None:
                return rule
        return None

    # -- for derived indexes ----------------------------------------------------------------------

    def memo(self, key: str, build: Callable[[ReferenceData], T]) -> T:
        """Build something derived from this data once (the router's indexes) and keep it with it."""
        if key not in self._memo:
            self._memo[key] = build(self)
        value: T = self._memo[key]
        return value

    # -- consistency ------------------------------------------------------------------------------

    def _problems(self) -> list[str]:
        problems: list[str] = []
        problems += _duplicates("agency", [agency.id for agency in self.agencies])
        problems += _duplicates("category", [category.code for category in self.categories])
        problems += _duplicates("rule", [rule.key for rule in self.rules])
        problems += _duplicates("region", [region.code for region in self.regions])
        problems += _duplicates("keyword list", [entry.category for entry in self.keywords])
        nationals = [agency.id for agency in self.agencies if agency.kind is AgencyKind.NATIONAL]
        if len(nationals) != 1:
            problems.append(f"exactly one national administrator is needed, found {nationals}")
        for agency in self.agencies:
            problems += self._agency_problems(agency)
        for rule in self.rules:
            problems += self._rule_problems(rule)
        for region in self.regions:
            if region.parent_code is not None and region.parent_code not in self._regions:
                problems.append(f"region {region.code}: unknown parent {region.parent_code}")
            if region.parent_code is not None and not covers(region.parent_code, region.code):
                problems.append(f"region {region.code}: parent {region.parent_code} does not contain it")
        for entry in self.keywords:
            if entry.category not in self._categories:
                problems.append(f"keywords for unknown category {entry.category}")
        return problems

    def _agency_problems(self, agency: Agency) -> list[str]:
        problems = []
        if agency.parent_id is not None and agency.parent_id not in self._agencies:
            problems.append(f"agency {agency.id}: unknown parent {agency.parent_id}")
        if agency.region_code is not None and agency.region_code not in self._regions:
            problems.append(f"agency {agency.id}: unknown region {agency.region_code}")
        webhook = agency.webhook_url and url_problem(agency.webhook_url)
        if webhook:  # data must not point a webhook into the VPC or at the metadata endpoint
            problems.append(f"agency {agency.id}: webhook_url {webhook}")
        problems += [
            f"agency {agency.id}: unknown category {code}"
            for code in agency.categories
            if code not in self._categories
        ]
        seen = {agency.id}
        parent = self._agencies.get(agency.parent_id) if agency.parent_id else None
        while parent is not None:
            if parent.id in seen:
                problems.append(f"agency {agency.id}: its parents form a cycle")
                break
            seen.add(parent.id)
            parent = self._agencies.get(parent.parent_id) if parent.parent_id else None
        return problems

    def _rule_problems(self, rule: RoutingRule) -> list[str]:
        problems = []
        if rule.category not in self._categories:
            problems.append(f"rule {rule.key}: unknown category")
        if rule.region_prefix not in self._regions:
            problems.append(f"rule {rule.key}: unknown region")
        agency = self._agencies.get(rule.agency_id)
        if agency is None:
            problems.append(f"rule {rule.key}: unknown agency {rule.agency_id}")
            return problems
        if rule.category not in agency.categories:
            problems.append(f"rule {rule.key}: agency {agency.id} does not handle {rule.category}")
        # An agency of one regency must not receive another regency's complaints.
        if agency.region_code is not None and not related(agency.region_code, rule.region_prefix):
            problems.append(f"rule {rule.key}: agency {agency.id} serves {agency.region_code}")
        return problems


def _code_order(code: str) -> list[int]:
    return [int(part) for part in code.split(".") if part.isdigit()]


def _duplicates(kind: str, keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    problems = []
    for key in keys:
        if key in seen:
            problems.append(f"duplicate {kind} {key}")
        seen.add(key)
    return problems


class _KeywordGroup(_Model):
    weight: float = Field(gt=0)
    phrases: tuple[str, ...]

    @field_validator("phrases")
    @classmethod
    def _not_blank(cls, phrases: tuple[str, ...]) -> tuple[str, ...]:
        if any(not phrase.strip() for phrase in phrases):
            raise ValueError("a keyword phrase is blank")
        return phrases


def parse_seed(documents: Mapping[str, Any]) -> ReferenceData:
    """ReferenceData from the seed files' parsed JSON, keyed as SEED_FILES (without I/O).

    keywords.json groups phrases by weight: {"kependudukan": [{"weight": 3, "phrases": [...]}]}.
    """
    keywords = []
    for category, groups in documents.get("keywords", {}).items():
        entries = [
            Keyword(phrase=phrase, weight=group.weight)
            for group in map(_KeywordGroup.model_validate, groups)
            for phrase in group.phrases
        ]
        keywords.append(CategoryKeywords(category=category, keywords=tuple(entries)))
    return ReferenceData(
        agencies=tuple(Agency.model_validate(item) for item in documents["agencies"]),
        categories=tuple(Category.model_validate(item) for item in documents["categories"]),
        rules=tuple(RoutingRule.model_validate(item) for item in documents["rules"]),
        regions=tuple(Region.model_validate(item) for item in documents["regions"]),
        keywords=tuple(keywords),
    )


def read_seed(directory: Path) -> dict[str, Any]:
    """The seed files of `directory`, parsed (the only I/O of this module)."""
    documents = {}
    for kind, filename in SEED_FILES.items():
        path = Path(directory) / filename
        try:
            documents[kind] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise InvalidReferenceData([f"missing seed file {path}"]) from error
        except json.JSONDecodeError as error:
            raise InvalidReferenceData([f"{path}: not valid JSON ({error})"]) from error
    return documents


def load_seed(directory: Path) -> ReferenceData:
    """ReferenceData from the seed files in `directory` (infra/seed), checked for consistency."""
    return parse_seed(read_seed(directory))
