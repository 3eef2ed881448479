"""DynamoDB items from the domain's JSON documents and back (numbers as Decimal on the way in,
int or float on the way out)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import BaseModel

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def json_document(model: BaseModel) -> dict[str, Any]:
    """The model as DynamoDB can take it: its JSON form, with floats as Decimal."""
    document: dict[str, Any] = json.loads(model.model_dump_json(), parse_float=Decimal)
    return document


def to_item(document: dict[str, Any]) -> dict[str, Any]:
    """Attribute values of a document, leaving out what is None (an absent attribute)."""
    return {key: _serializer.serialize(value) for key, value in document.items() if value is not None}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the domain speaks int and float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """The document an item holds."""
    return {key: plain(_deserializer.deserialize(value)) for key, value in item.items()}
