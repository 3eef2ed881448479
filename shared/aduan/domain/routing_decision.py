"""The routing decision (disposisi): which agency a complaint goes to, or who must triage it.

`decide()` is pure: it reads the complaint's words and the reference data, and says
  - the category: the reporter's, or classified from weighted Indonesian keywords
    (infra/seed/keywords.json), the best category winning when it is clearly ahead;
  - the region: the reporter's, or placed from the names of regencies, cities and districts
    in the address and the text (the gazetteer, infra/seed/regions.json), a district beating
    its regency;
  - the agency, from the most specific rule for (category, region);
  - whether that is confident enough to assign, and otherwise the coordinator who triages;
  - why, in Indonesian and in English, quoting the words it relied on.

Text is compared folded: case, accents, punctuation and hyphens do not matter ("e-KTP", "eKTP",
"E KTP"), SMS spellings are expanded ("yg", "tdk", "jln"), "anak2" is "anak", "-nya" is dropped
from a known word, and spacing inside a name is ignored ("Pasarkemis", "Teluk Naga").
Nothing here is imported at cold start that a decision does not need.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from aduan.domain.reference import ReferenceData, Region, RoutingRule, ancestors, covers, related

MIN_CATEGORY_SCORE = 2.0  # one medium keyword, or a strong one, before a category counts
MIN_CATEGORY_SHARE = 0.6  # best / (best + runner-up): clearly ahead, not a coin toss
TITLE_BOOST = 1.5  # the title is where people say what the complaint is about
MAX_QUOTED = 3  # words quoted in a reason

# SMS and chat spellings, and the abbreviations of addresses. Language, not policy: they change
# with Indonesian, not with a deployment, so they live in code rather than in the seed.
ABBREVIATIONS: dict[str, str] = {
    "yg": "yang", "tdk": "tidak", "tdak": "tidak", "gk": "tidak", "gak": "tidak", "ga": "tidak",
    "nggak": "tidak", "ngga": "tidak", "enggak": "tidak", "engga": "tidak", "tak": "tidak",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "blm": "belum", "blum": "belum",
    "dgn": "dengan", "dg": "dengan", "krn": "karena", "karna": "karena", "utk": "untuk",
    "untk": "untuk", "tlg": "tolong", "tlng": "tolong", "hrs": "harus", "bs": "bisa", "lg": "lagi",
    "dr": "dari", "dri": "dari", "dlm": "dalam", "pd": "pada", "kpd": "kepada", "sm": "sama",
    "org": "orang", "tp": "tapi", "jg": "juga", "spt": "seperti", "bln": "bulan", "thn": "tahun",
    "hr": "hari", "skrg": "sekarang", "skrng": "sekarang", "kmrn": "kemarin", "mgg": "minggu",
    "bnyk": "banyak", "byk": "banyak", "sj": "saja", "aja": "saja", "gmn": "bagaimana",
    "sy": "saya", "sya": "saya", "klo": "kalau", "kalo": "kalau", "msh": "masih", "masi": "masih",
    "brp": "berapa", "rb": "ribu", "jt": "juta", "tgl": "tanggal", "sklh": "sekolah", "jd": "jadi",
    "bkn": "bukan", "dpt": "dapat", "dkt": "dekat", "dpn": "depan", "tnp": "tanpa", "pdhl": "padahal",
    "ortu": "orang tua", "ancur": "hancur", "ambrol": "ambruk", "gratisan": "gratis",
    "skolah": "sekolah", "rmh": "rumah", "jln": "jalan", "jl": "jalan", "gg": "gang",
    "rs": "rumah sakit", "pkm": "puskesmas", "kab": "kabupaten", "kec": "kecamatan",
    "kel": "kelurahan", "ds": "desa", "kp": "kampung", "kmp": "kampung", "prov": "provinsi",
    "tng": "tangerang", "tgr": "tangerang", "tgrs": "tangerang selatan",
}  # fmt: skip
SUFFIXES = ("nya", "lah", "kah", "pun")  # dropped from a known word: "ktpnya", "jalannya"
DISTRICT_MARKERS = frozenset({"kecamatan"})  # "Kec. Kresek" is the district, "Desa X" is not
STREET_MARKERS = frozenset({"jalan", "gang"})  # "Jl. Raya Serang" names a road, not its place
MIN_SQUASHED = 6  # "s/d" must not read as "SD": joining words needs a name this long

_WORD = re.compile(r"[^\W_]+")

V = TypeVar("V")


@dataclass(frozen=True)
class RoutingDecision:
    """Where a complaint goes and why. `agency_id` is the rules' answer (a proposal for the
    coordinator when not confident); `coordinator_id` answers for it, and triages it if not
    confident."""

    category: str | None
    category_confidence: float
    category_words: tuple[str, ...]
    region_code: str | None
    region_words: tuple[str, ...]
    rule: RoutingRule | None
    agency_id: str | None
    coordinator_id: str
    confident: bool
    reason_id: str
    reason_en: str

    @property
    def needs_triage(self) -> bool:
        return not self.confident

    @property
    def holder_id(self) -> str:
        """Who holds the complaint next: the agency when confident, else the triaging coordinator."""
        return self.agency_id if self.confident and self.agency_id else self.coordinator_id

    def reason(self, language: str = "id") -> str:
        """The reason in the complaint's language (`id` or `en`)."""
        return self.reason_en if language == "en" else self.reason_id


def decide(
    title: str,
    description: str,
    address: str | None,
    category: str | None,
    region_code: str | None,
    reference: ReferenceData,
) -> RoutingDecision:
    """Decide the category, region, agency and confidence of a complaint (DESIGN §1 Routing)."""
    index = reference.memo("routing", _Index.build)
    title, description, address = title or "", description or "", address or ""
    classified = (
        _Classification(category, 1.0, (), True, given=True)
        if category
        else _classify(title, description, index)
    )
    placed = _place(address, title, description, region_code or None, index)
    rule = reference.rule_for(classified.category, placed.code)
    confident = classified.confident and placed.confident and rule is not None
    if confident and rule is not None:
        coordinator = reference.coordinator_of(rule.agency_id)
    else:
        coordinator = reference.coordinator_for(placed.code)
    reason_id, reason_en = _reasons(classified, placed, rule, coordinator.id, confident, reference)
    return RoutingDecision(
        category=classified.category,
        category_confidence=round(classified.confidence, 3),
        category_words=classified.words,
        region_code=placed.code,
        region_words=placed.words,
        rule=rule,
        agency_id=rule.agency_id if rule else None,
        coordinator_id=coordinator.id,
        confident=confident,
        reason_id=reason_id,
        reason_en=reason_en,
    )


# -- words --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    """A folded word of a text, with where it was written (to quote the reporter's own spelling)."""

    word: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """The folded words of `text`: lower case, no accents, abbreviations expanded."""
    found = []
    for match in _WORD.finditer(text):
        word = _fold(match.group())
        if len(word) > 2 and word.endswith("2") and word[:-1].isalpha():  # "anak2" = anak-anak
            word = word[:-1]
        found += [Token(part, match.start(), match.end()) for part in ABBREVIATIONS.get(word, word).split()]
    return found


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _key(phrase: str) -> tuple[str, tuple[str, ...]]:
    words = tuple(token.word for token in tokens(phrase))
    return "".join(words), words


@dataclass(frozen=True)
class _Keyword:
    category: str
    weight: float


@dataclass(frozen=True)
class _Place:
    region: Region
    needs_context: bool  # this name of it is an everyday word or a place elsewhere


@dataclass(frozen=True)
class _Index:
    """Keyword and place-name lookups, built once per ReferenceData (see ReferenceData.memo)."""

    keywords: dict[str, tuple[_Keyword, ...]]
    places: dict[str, tuple[_Place, ...]]
    spellings: dict[str, frozenset[tuple[str, ...]]]  # key → the word sequences it was written as
    words: frozenset[str]
    span: int

    @classmethod
    def build(cls, reference: ReferenceData) -> _Index:
        keywords: dict[str, dict[str, float]] = defaultdict(dict)
        places: dict[str, dict[str, _Place]] = defaultdict(dict)
        spellings: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for entry in reference.keywords:
            for keyword in entry.keywords:
                key, words = _key(keyword.phrase)
                if key:
                    weights = keywords[key]
                    weights[entry.category] = max(weights.get(entry.category, 0.0), keyword.weight)
                    spellings[key].add(words)
        for region in reference.regions:
            for name in (region.name, *region.aliases):
                key, words = _key(name)
                if key:
                    # One trusted name of a region under this spelling is enough to trust it.
                    known = places[key].get(region.code)
                    needs_context = name in region.context_names and (known is None or known.needs_context)
                    places[key][region.code] = _Place(region, needs_context)
                    spellings[key].add(words)
        return cls(
            keywords={
                key: tuple(_Keyword(category, weight) for category, weight in weights.items())
                for key, weights in keywords.items()
            },
            places={key: tuple(found.values()) for key, found in places.items()},
            spellings={key: frozenset(forms) for key, forms in spellings.items()},
            words=frozenset(word for forms in spellings.values() for form in forms for word in form),
            # One more word than the longest name: "Teluk Naga" is written in more words than
            # "Teluknaga".
            span=1 + max((len(form) for forms in spellings.values() for form in forms), default=0),
        )

    def fold_suffix(self, text_tokens: list[Token]) -> list[Token]:
        """Drop -nya/-lah/-kah/-pun where that leaves a known word ("jalannya" → "jalan")."""
        folded = []
        for token in text_tokens:
            word = token.word
            if word not in self.words:
                for suffix in SUFFIXES:
                    if word.endswith(suffix) and word[: -len(suffix)] in self.words:
                        word = word[: -len(suffix)]
                        break
            folded.append(Token(word, token.start, token.end))
        return folded

    def lookup(self, text_tokens: list[Token], table: Mapping[str, tuple[V, ...]]) -> list[_Hit[V]]:
        """Longest names first, left to right, each word used once."""
        hits: list[_Hit[V]] = []
        i = 0
        while i < len(text_tokens):
            for n in range(min(self.span, len(text_tokens) - i), 0, -1):
                words = tuple(token.word for token in text_tokens[i : i + n])
                key = "".join(words)
                if key not in table:
                    continue
                if n > 1 and words not in self.spellings[key] and len(key) < MIN_SQUASHED:
                    continue
                hits.append(_Hit(i, i + n, table[key]))
                i += n
                break
            else:
                i += 1
        return hits


@dataclass(frozen=True)
class _Hit(Generic[V]):
    start: int  # token positions
    end: int
    values: tuple[V, ...]


def _quote(text: str, text_tokens: list[Token], hit: _Hit[V]) -> str:
    return text[text_tokens[hit.start].start : text_tokens[hit.end - 1].end]


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"'{word}'" for word in words)


# -- category -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Classification:
    category: str | None
    confidence: float
    words: tuple[str, ...]
    confident: bool
    given: bool = False


def _classify(title: str, description: str, index: _Index) -> _Classification:
    # Per category: each distinct phrase counts once, at its best weight (title boosted).
    evidence: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
    for text, boost in ((title, TITLE_BOOST), (description, 1.0)):
        text_tokens = index.fold_suffix(tokens(text))
        for hit in index.lookup(text_tokens, index.keywords):
            quote = _quote(text, text_tokens, hit)
            key = "".join(token.word for token in text_tokens[hit.start : hit.end])
            for keyword in hit.values:
                weight = keyword.weight * boost
                if weight > evidence[keyword.category].get(key, (0.0, ""))[0]:
                    evidence[keyword.category][key] = (weight, quote)
    if not evidence:
        return _Classification(None, 0.0, (), False)
    scores = sorted(
        ((sum(weight for weight, _ in found.values()), category) for category, found in evidence.items()),
        key=lambda item: (-item[0], item[1]),
    )
    best, category = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    share = best / (best + runner_up)
    words = sorted(evidence[category].values(), key=lambda item: -item[0])
    quoted = tuple(dict.fromkeys(quote for _, quote in words))[:MAX_QUOTED]
    return _Classification(
        category, share, quoted, confident=best >= MIN_CATEGORY_SCORE and share >= MIN_CATEGORY_SHARE
    )


# -- region -------------------------------------------------------------------------------------


@dataclass
class _PlaceHit:
    quote: str
    candidates: tuple[_Place, ...]
    field: str
    start: int
    end: int
    marked: bool  # right after "kecamatan"
    street: bool  # right after "jalan" / "jalan raya": a road's name


@dataclass(frozen=True)
class _Placement:
    code: str | None
    confident: bool
    words: tuple[str, ...]
    how: str  # given, refined, placed, uncertain, none


def _place_hits(fields: dict[str, str], index: _Index) -> list[_PlaceHit]:
    hits = []
    for field, text in fields.items():
        text_tokens = index.fold_suffix(tokens(text))
        for hit in index.lookup(text_tokens, index.places):
            before = [token.word for token in text_tokens[max(0, hit.start - 2) : hit.start]]
            hits.append(
                _PlaceHit(
                    quote=_quote(text, text_tokens, hit),
                    candidates=hit.values,
                    field=field,
                    start=hit.start,
                    end=hit.end,
                    marked=bool(before) and before[-1] in DISTRICT_MARKERS,
                    street=bool(before)
                    and (
                        before[-1] in STREET_MARKERS or before[-2:] in (["jalan", "raya"], ["gang", "raya"])
                    ),
                )
            )
    return hits


def _in_context(place: _Place, hit: _PlaceHit, hits: list[_PlaceHit]) -> bool:
    """A district named by an everyday word counts after "kecamatan", right before a mention of
    its regency ("Kresek, Kab. Tangerang"), or alongside an unambiguous mention of its regency."""
    if not place.needs_context or hit.marked:
        return True
    code = place.region.code
    for other in hits:
        if other is hit:
            continue
        parents = [c for c in other.candidates if c.region.code != code and covers(c.region.code, code)]
        if parents and (len(other.candidates) == 1 or (other.field == hit.field and other.start == hit.end)):
            return True
    return False


def _place(
    address: str,
    title: str,
    description: str,
    given: str | None,
    index: _Index,
) -> _Placement:
    hits = _place_hits({"address": address, "title": title, "description": description}, index)
    kept = [tuple(place for place in hit.candidates if _in_context(place, hit, hits)) for hit in hits]
    for hit, candidates in zip(hits, kept, strict=True):
        hit.candidates = candidates
    hits = [hit for hit in hits if hit.candidates]
    # Road names count only when nothing else names a place.
    hits = [hit for hit in hits if not hit.street] or hits
    found = _resolve(hits)
    if given:
        if found.code and found.code != given and covers(given, found.code):
            return _Placement(found.code, True, found.words, "refined")
        return _Placement(given, True, (), "given")
    return found


def _resolve(hits: list[_PlaceHit]) -> _Placement:
    if not hits:
        return _Placement(None, False, (), "none")
    fixed = [(hit.candidates[0].region.code, hit) for hit in hits if len(hit.candidates) == 1]
    ambiguous = [hit for hit in hits if len(hit.candidates) > 1]
    # "Curug" is in two regencies, "Tangerang" names two: other evidence settles which.
    changed = True
    while changed and ambiguous:
        changed = False
        for hit in list(ambiguous):
            fitting = [p for p in hit.candidates if any(related(p.region.code, code) for code, _ in fixed)]
            if len(fitting) == 1:
                fixed.append((fitting[0].region.code, hit))
                ambiguous.remove(hit)
                changed = True
    if not fixed:
        codes = [place.region.code for hit in ambiguous for place in hit.candidates]
        return _Placement(_common(codes), False, _words(ambiguous), "uncertain")

    # Group by regency; a province-wide mention supports every group.
    groups: dict[str, list[tuple[str, _PlaceHit]]] = defaultdict(list)
    regencies = {".".join(code.split(".")[:2]) for code, _ in fixed if "." in code}
    for code, hit in fixed:
        for regency in regencies or {code}:
            if related(code, regency):
                groups[regency].append((code, hit))
    ranked = sorted(groups.values(), key=_support, reverse=True)
    winner = ranked[0]
    if len(ranked) > 1 and _support(ranked[1]) == _support(winner):
        codes = [code for code, _ in fixed]
        return _Placement(_common(codes), False, _words([hit for _, hit in fixed]), "uncertain")
    codes = [code for code, _ in winner]
    deepest = max(codes, key=lambda candidate: candidate.count("."))
    # Two districts of one regency ("Cikupa ... Balaraja") agree on the regency only.
    region = deepest if all(related(deepest, other) for other in codes) else _common(codes)
    confident = region is not None and region.count(".") >= 1  # a regency or finer, not just "Banten"
    return _Placement(
        region, confident, _words([hit for _, hit in winner]), "placed" if confident else "uncertain"
    )


def _support(group: list[tuple[str, _PlaceHit]]) -> tuple[int, int]:
    return sum(hit.field == "address" for _, hit in group), len(group)


def _common(codes: Sequence[str]) -> str | None:
    """The most specific region containing all `codes` ("36.03.17", "36.73.04" → "36")."""
    if not codes:
        return None
    shared = set(ancestors(codes[0]))
    for code in codes[1:]:
        shared &= set(ancestors(code))
    return max(shared, key=lambda code: code.count("."), default=None)


def _words(hits: Sequence[_PlaceHit]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(hit.quote for hit in hits))[:MAX_QUOTED]


# -- reasons ------------------------------------------------------------------------------------


def _reasons(
    classified: _Classification,
    placed: _Placement,
    rule: RoutingRule | None,
    coordinator_id: str,
    confident: bool,
    reference: ReferenceData,
) -> tuple[str, str]:
    category, words = classified.category, _quoted(classified.words)
    if classified.given:
        parts = [(f"kategori {category} dipilih pelapor", f"category {category} chosen by the reporter")]
    elif category and classified.confident:
        parts = [(f"kategori {category} dari kata {words}", f"category {category} from the words {words}")]
    elif category:
        parts = [
            (
                f"kategori belum pasti ({category}? dari {words})",
                f"category uncertain ({category}? from {words})",
            )
        ]
    else:
        parts = [("kategori tidak dikenali dari teks", "no category recognised in the text")]

    code, places = placed.code, _quoted(placed.words)
    place = reference.place_name(code) if code else ""
    name = f"{code} ({place})" if code and place != code else (code or "")
    parts.append(
        {
            "given": (f"wilayah {name} dipilih pelapor", f"region {name} chosen by the reporter"),
            "refined": (
                f"wilayah {name} dari {places} (dalam wilayah pilihan pelapor)",
                f"region {name} from {places} (within the reporter's region)",
            ),
            "placed": (f"wilayah {name} dari {places}", f"region {name} from {places}"),
            "uncertain": (
                f"wilayah belum pasti: {places} bisa berarti beberapa tempat"
                + (f", paling tidak {name}" if code else ""),
                f"region uncertain: {places} could mean several places"
                + (f", at least {name}" if code else ""),
            ),
            "none": ("tidak ada nama wilayah yang dikenali", "no place name recognised"),
        }[placed.how]
    )

    coordinator = reference.agency(coordinator_id)
    coordinator_name = coordinator.name if coordinator else coordinator_id
    agency = reference.agency(rule.agency_id) if rule else None
    agency_name = agency.name if agency else (rule.agency_id if rule else "")
    if confident:
        parts.append((f"diteruskan ke {agency_name}", f"forwarded to {agency_name}"))
    elif rule:
        parts.append(
            (
                f"usulan: {agency_name}; perlu verifikasi {coordinator_name}",
                f"proposed: {agency_name}; to be verified by {coordinator_name}",
            )
        )
    elif category and code and placed.confident:
        parts.append(
            (
                f"tidak ada aturan untuk {category} di {code}; triase oleh {coordinator_name}",
                f"no rule for {category} in {code}; triage by {coordinator_name}",
            )
        )
    else:
        parts.append((f"triase oleh {coordinator_name}", f"triage by {coordinator_name}"))
    return "; ".join(part[0] for part in parts), "; ".join(part[1] for part in parts)
