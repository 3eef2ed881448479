"""Reference data for the local stack: what `make run` loads before the first request."""

from __future__ import annotations

from aduan_local.stack import Seeder


def default_seeders() -> list[Seeder]:
    """Seeders run in order against the freshly created resources (agencies, rules, demo users
    arrive with the routing and operators' issues)."""
    return []
