"""Configuration, read once from the environment the template gives each function."""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

_VARIABLES = {
    "table_name": "TABLE_NAME",
    "routing_queue_url": "ROUTING_QUEUE_URL",
    "notification_queue_url": "NOTIFICATION_QUEUE_URL",
    "escalation_queue_url": "ESCALATION_QUEUE_URL",
    "reporter_key_secret": "REPORTER_KEY_SECRET_ARN",
    "sms_token_secret": "SMS_TOKEN_SECRET_ARN",
    "webhook_secret": "WEBHOOK_SECRET_ARN",
    "sender_email": "SENDER_EMAIL",
    "retry_base_seconds": "RETRY_BASE_SECONDS",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "due_shards": "DUE_SHARDS",
    "holiday_categories": "HOLIDAY_CATEGORIES",
}


class MissingConfiguration(Exception):
    """The template did not give the function a variable it needs: fail at import, loudly."""


class Settings(BaseModel):
    """Every setting a function may use; each function names the ones it requires."""

    model_config = ConfigDict(frozen=True)

    table_name: str = ""
    routing_queue_url: str = ""
    notification_queue_url: str = ""
    escalation_queue_url: str = ""
    reporter_key_secret: str = ""
    sms_token_secret: str = ""
    webhook_secret: str = ""
    sender_email: str = ""
    retry_base_seconds: int = 30
    user_pool_client_id: str = ""
    due_shards: int = 8
    holiday_categories: tuple[str, ...] = ("public",)


def load_settings(*required: str, environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the environment; MissingConfiguration names every required variable absent."""
    missing = [_VARIABLES[name] for name in required if not environ.get(_VARIABLES[name])]
    if missing:
        raise MissingConfiguration(f"the function's template must set {', '.join(missing)}")
    values: dict[str, object] = {
        name: environ[variable] for name, variable in _VARIABLES.items() if environ.get(variable)
    }
    if "holiday_categories" in values:
        values["holiday_categories"] = tuple(str(values["holiday_categories"]).split(","))
    return Settings.model_validate(values)
