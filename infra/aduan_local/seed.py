"""Reference data for the local stack: what `make run` loads before the first request.

Seeding goes through aduan's admin commands (`aduan_admin.cli.seed_table`, the function behind
`aduan-admin seed`), so the local table holds exactly what a deployed one would.
"""

from __future__ import annotations

from pathlib import Path

from aduan_local.resources import Resources, emulator_client
from aduan_local.stack import Seeder


def reference_seeder(seed_dir: Path | None = None) -> Seeder:
    """Agencies, categories, rules, regions and keywords from infra/seed into the ComplaintsTable."""

    def seed(resources: Resources) -> None:
        from aduan_admin.cli import DEFAULT_SEED_DIR, seed_table

        client = emulator_client("dynamodb", resources.endpoint, resources.region)
        seed_table(client, resources.ref("ComplaintsTable"), seed_dir or DEFAULT_SEED_DIR)

    return seed


DEMO_PASSWORD = "Aduan-local-1"  # noqa: S105 - local demo accounts only (DESIGN §3)
DEMO_USERS = {
    "op.disdukcapil": ("operator", "kab-tangerang.disdukcapil"),
    "op.pupr": ("operator", "kab-tangerang.pupr"),
    "coord.kab-tangerang": ("coordinator", "kab-tangerang"),
    "admin.nasional": ("national", "kemenpanrb"),
}


def demo_users_seeder() -> Seeder:
    """The local demo users of DESIGN §3, created the way `aduan-admin user add` creates operators."""

    def seed(resources: Resources) -> None:
        from aduan_admin.cli import add_user

        if "UserPool" not in resources.refs:
            return
        cognito = emulator_client("cognito-idp", resources.endpoint, resources.region)
        for username, (role, agency_id) in DEMO_USERS.items():
            add_user(
                cognito,
                resources.ref("UserPool"),
                username,
                role=role,
                agency_id=agency_id,
                password=DEMO_PASSWORD,
            )

    seed.demo_users = {username: DEMO_PASSWORD for username in DEMO_USERS}  # type: ignore[attr-defined]
    return seed


def default_seeders() -> list[Seeder]:
    """Seeders run in order against the freshly created resources."""
    return [reference_seeder(), demo_users_seeder()]
