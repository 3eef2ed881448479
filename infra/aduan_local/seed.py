"""Reference data for the local stack: what `make run` loads before the first request.

Seeding goes through aduan's admin commands (`aduan.admin.seed_table`, the function behind
`aduan-admin seed`), so the local table holds exactly what a deployed one would.
"""

from __future__ import annotations

from pathlib import Path

from aduan_local.resources import Resources, emulator_client
from aduan_local.stack import Seeder


def reference_seeder(seed_dir: Path | None = None) -> Seeder:
    """Agencies, categories, rules, regions and keywords from infra/seed into the ComplaintsTable."""

    def seed(resources: Resources) -> None:
        from aduan.admin import DEFAULT_SEED_DIR, seed_table

        client = emulator_client("dynamodb", resources.endpoint, resources.region)
        seed_table(client, resources.ref("ComplaintsTable"), seed_dir or DEFAULT_SEED_DIR)

    return seed


def default_seeders() -> list[Seeder]:
    """Seeders run in order against the freshly created resources."""
    return [reference_seeder()]
