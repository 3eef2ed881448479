"""Configuration, read once from the environment the template gives each function."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from aduan.domain.destinations import DEFAULT_COUNTRY_CODES, country_codes

_VARIABLES = {
    "table_name": "TABLE_NAME",
    "routing_queue_url": "ROUTING_QUEUE_URL",
    "notification_queue_url": "NOTIFICATION_QUEUE_URL",
    "escalation_queue_url": "ESCALATION_QUEUE_URL",
    "attachment_queue_url": "ATTACHMENT_QUEUE_URL",
    "evidence_bucket": "EVIDENCE_BUCKET",
    "reporter_key_secret": "REPORTER_KEY_SECRET_ARN",
    "sms_token_secret": "SMS_TOKEN_SECRET_ARN",
    "webhook_secret": "WEBHOOK_SECRET_ARN",
    "sender_email": "SENDER_EMAIL",
    "retry_base_seconds": "RETRY_BASE_SECONDS",
    "user_pool_client_id": "USER_POOL_CLIENT_ID",
    "user_pool_id": "USER_POOL_ID",
    "due_shards": "DUE_SHARDS",
    "holiday_categories": "HOLIDAY_CATEGORIES",
    "origin_secret": "ORIGIN_SECRET_ARN",
    "sms_country_codes": "SMS_COUNTRY_CODES",
    "complaints_per_destination_per_day": "COMPLAINTS_PER_DESTINATION_PER_DAY",
    "complaints_per_client_per_day": "COMPLAINTS_PER_CLIENT_PER_DAY",
    "whatsapp_queue_url": "WHATSAPP_QUEUE_URL",
    "whatsapp_app_secret": "WHATSAPP_APP_SECRET_ARN",
    "whatsapp_verify_token": "WHATSAPP_VERIFY_TOKEN_ARN",
    "whatsapp_access_token": "WHATSAPP_ACCESS_TOKEN_ARN",
    "whatsapp_phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
    "whatsapp_graph_url": "WHATSAPP_GRAPH_URL",
    "place_wait_seconds": "PLACE_WAIT_SECONDS",
}


_WHOLE_NUMBERS = {
    "retry_base_seconds",
    "due_shards",
    "complaints_per_destination_per_day",
    "complaints_per_client_per_day",
    "place_wait_seconds",
}


class MissingConfiguration(Exception):
    """The template did not give the function a variable it needs: fail at import, loudly."""


@dataclass(frozen=True)
class Settings:
    """Every setting a function may use; each function names the ones it requires. A plain
    dataclass: the deadline check, which loads no other model, starts without pydantic."""

    table_name: str = ""
    routing_queue_url: str = ""
    notification_queue_url: str = ""
    escalation_queue_url: str = ""
    attachment_queue_url: str = ""  # S3's events of new uploads, which the attachment worker reads
    evidence_bucket: str = ""  # the private bucket of photos and documents
    reporter_key_secret: str = ""
    sms_token_secret: str = ""
    webhook_secret: str = ""
    sender_email: str = ""
    retry_base_seconds: int = 30
    user_pool_client_id: str = ""
    user_pool_id: str = ""  # AdminGetUser: whether a coordinator has two-step sign-in
    due_shards: int = 8
    holiday_categories: tuple[str, ...] = ("public",)
    # What CloudFront adds to every request it passes to the API (docs/deploy.md): a secret's ARN.
    origin_secret: str = ""
    # Outbound limits (docs/operations.md, "Limits"): where texts may go, and how many complaints a
    # day one destination and one client may file. Unset, they are as tight as the template's.
    sms_country_codes: tuple[str, ...] = DEFAULT_COUNTRY_CODES
    complaints_per_destination_per_day: int = 5
    complaints_per_client_per_day: int = 20
    # WhatsApp (Meta's Cloud API): the webhook's queue, three secrets' ARNs (the app secret signs
    # Meta's webhooks, the verify token answers its subscription check, the access token sends),
    # the business phone number's ID, and the Graph API's address.
    whatsapp_queue_url: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_access_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_graph_url: str = "https://graph.facebook.com"
    place_wait_seconds: int = 1800  # a WhatsApp report that names no place waits this long for one


def load_settings(*required: str, environ: Mapping[str, str] = os.environ) -> Settings:
    """Settings from the environment; MissingConfiguration names every required variable absent."""
    missing = [_VARIABLES[name] for name in required if not environ.get(_VARIABLES[name])]
    if missing:
        raise MissingConfiguration(f"the function's template must set {', '.join(missing)}")
    values: dict[str, object] = {}
    for name, variable in _VARIABLES.items():
        text = environ.get(variable)
        if not text:
            continue
        if name in _WHOLE_NUMBERS:
            if not text.isdigit():
                raise MissingConfiguration(f"{variable} must be a whole number, not {text!r}")
            values[name] = int(text)
        elif name == "holiday_categories":
            values[name] = tuple(text.split(","))
        elif name == "sms_country_codes":
            try:
                values[name] = country_codes(text)
            except ValueError as error:
                raise MissingConfiguration(f"{variable}: {error}") from None
        else:
            values[name] = text
    return Settings(**values)  # type: ignore[arg-type]
