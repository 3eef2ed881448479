"""A function's configuration: every missing variable named at import, numbers checked."""

from __future__ import annotations

import pytest

from aduan.doors.settings import MissingConfiguration, load_settings


def test_every_missing_required_variable_is_named() -> None:
    with pytest.raises(MissingConfiguration, match="TABLE_NAME, ROUTING_QUEUE_URL"):
        load_settings("table_name", "routing_queue_url", environ={"SENDER_EMAIL": "a@b.example"})


def test_values_are_read_and_typed() -> None:
    settings = load_settings(
        "table_name",
        environ={"TABLE_NAME": "complaints", "DUE_SHARDS": "16", "HOLIDAY_CATEGORIES": "public,workday"},
    )
    assert settings.table_name == "complaints"
    assert settings.due_shards == 16
    assert settings.holiday_categories == ("public", "workday")
    assert settings.retry_base_seconds == 30  # the default when the template sets none


def test_a_number_that_is_not_one_fails_loudly() -> None:
    with pytest.raises(MissingConfiguration, match="RETRY_BASE_SECONDS must be a whole number"):
        load_settings(environ={"RETRY_BASE_SECONDS": "soon"})
