"""Every test that shares the local stack has phone numbers of its own (tests/phones.py): a number
written out is written in one place of tests/e2e, tests/browser and the fuzzers' tests/crafted.py;
none falls in a range the tests make numbers from; and numbers are made up only from those ranges.
Otherwise one test's texts land in another's count."""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict
from pathlib import Path

from tests.phones import RANGES, number

ROOT = Path(__file__).resolve().parents[2]
# A number as tests write it: +62 8.., 62 8.., 08.., with spaces or dashes between the digits.
PHONE = re.compile(r"(?<![\w+])(?:\+?62|0)[ -]?8\d(?:[ -]?\d){6,11}(?!\d)")
MADE_UP = re.compile(r"^\s*(?:\+?62|0)[ -]?8[\d -]*$")  # the literal start of an f-string that makes one


def shared_stack_modules() -> list[Path]:
    return [
        *sorted((ROOT / "tests" / "e2e").glob("*.py")),
        *sorted((ROOT / "tests" / "browser").glob("*.py")),
        ROOT / "tests" / "crafted.py",
    ]


def e164(written: str) -> str:
    digits = re.sub(r"\D", "", written)
    return "+62" + digits.removeprefix("62").removeprefix("0")


def scan(sources: dict[str, str]) -> tuple[dict[str, set[str]], list[str]]:
    """Each written number (E.164) and the places (`module:definition`) that write it; and each
    f-string that makes a number up (`module:line`)."""
    places: dict[str, set[str]] = defaultdict(set)
    made_up: list[str] = []
    for module, source in sources.items():
        for top in ast.parse(source).body:
            where = f"{module}:{getattr(top, 'name', None) or 'module constants'}"
            for node in ast.walk(top):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for written in PHONE.findall(node.value):
                        places[e164(written)].add(where)
                if isinstance(node, ast.JoinedStr) and node.values:
                    first = node.values[0]
                    if isinstance(first, ast.Constant) and MADE_UP.match(str(first.value)):
                        made_up.append(f"{module}:{node.lineno}")
    return places, made_up


def problems(sources: dict[str, str]) -> list[str]:
    places, made_up = scan(sources)
    found = [f"{phone} is written in {sorted(where)}" for phone, where in places.items() if len(where) > 1]
    found += [
        f"{phone} ({sorted(where)}) is in the {kind} range"
        for phone, where in places.items()
        for kind, prefix in RANGES.items()
        if phone.startswith(prefix)
    ]
    found += [f"{at} makes a number up outside tests/phones.py" for at in made_up]
    return found


def test_each_number_is_one_test_s_and_made_up_numbers_come_from_ranges_of_their_own() -> None:
    sources = {str(path.relative_to(ROOT)): path.read_text() for path in shared_stack_modules()}
    assert problems(sources) == []


def test_the_ranges_are_apart() -> None:
    prefixes = sorted(RANGES.values())
    assert all(not b.startswith(a) for a, b in itertools.pairwise(prefixes)), prefixes
    assert all(len(number(kind, 0)) == len("+6281234567890") for kind in RANGES)


def test_the_check_sees_a_shared_number_a_number_in_a_range_and_a_number_made_up() -> None:
    sources = {
        "tests/e2e/test_a.py": 'def test_one():\n    send("0812-9900-0001")\n',
        "tests/e2e/test_b.py": 'PHONE = "+6281299000001"\ndef test_two():\n    send(f"+62812{n:08d}")\n',
        "tests/e2e/test_c.py": f'def test_three():\n    send("{number("fuzzed", 7)}")\n',
    }
    assert problems(sources) == [
        "+6281299000001 is written in "
        "['tests/e2e/test_a.py:test_one', 'tests/e2e/test_b.py:module constants']",
        "+6281390000007 (['tests/e2e/test_c.py:test_three']) is in the fuzzed range",
        "tests/e2e/test_b.py:3 makes a number up outside tests/phones.py",
    ]
