"""Reads template.yaml, the single source of truth, and creates its tables on an AWS endpoint.

Knows CloudFormation and boto3, nothing of the domain: tests and the local stack build the
emulator's resources from the template's own properties, so they cannot drift from AWS.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

# Every variable the template gives a function, with values that reach no AWS: for loading a
# handler in a fresh process to time it (bench/cold_start.py) or to see what it imports.
OFFLINE_ENVIRONMENT = {
    "TABLE_NAME": "t",
    "ROUTING_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/r",
    "NOTIFICATION_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/n",
    "ESCALATION_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/e",
    "ATTACHMENT_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/a",
    "EVIDENCE_BUCKET": "offline-evidence",
    "REPORTER_KEY_SECRET_ARN": "arn:s",
    "SMS_TOKEN_SECRET_ARN": "arn:t",
    "WEBHOOK_SECRET_ARN": "arn:w",
    "ORIGIN_SECRET_ARN": "arn:o",
    "WHATSAPP_QUEUE_URL": "https://sqs.ap-southeast-3.amazonaws.com/1/wa",
    "WHATSAPP_APP_SECRET_ARN": "arn:wa-app",
    "WHATSAPP_VERIFY_TOKEN_ARN": "arn:wa-verify",
    "WHATSAPP_ACCESS_TOKEN_ARN": "arn:wa-token",
    "WHATSAPP_PHONE_NUMBER_ID": "1",
    "SENDER_EMAIL": "no-reply@aduan.example",
    "USER_POOL_CLIENT_ID": "c",
    "USER_POOL_ID": "ap-southeast-3_offline",
    "AWS_DEFAULT_REGION": "ap-southeast-3",
    "AWS_REGION": "ap-southeast-3",
    "AWS_ACCESS_KEY_ID": "offline",
    "AWS_SECRET_ACCESS_KEY": "offline",
    "POWERTOOLS_SERVICE_NAME": "aduan",
}

_SCALAR_TAGS = {"Ref": "Ref", "Condition": "Condition"}
_FUNCTION_TAGS = (
    "GetAtt",
    "Sub",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "FindInMap",
    "ImportValue",
    "GetAZs",
    "Base64",
    "Cidr",
    "Transform",
    "ToJsonString",
)


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !GetAtt, ...) into their long form."""


def _construct(name: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _tag, _name in _SCALAR_TAGS.items():
    _CfnLoader.add_constructor(f"!{_tag}", _construct(_name))
for _tag in _FUNCTION_TAGS:
    _CfnLoader.add_constructor(f"!{_tag}", _construct(f"Fn::{_tag}"))


def load_template(path: Path | str = TEMPLATE) -> dict[str, Any]:
    """The template as plain data, short tags in their long form."""
    with open(path, encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    return document


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical ID → resource, for every resource of one type."""
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == resource_type
    }


def create_table_request(properties: dict[str, Any], table_name: str) -> dict[str, Any]:
    """CreateTable arguments from an AWS::DynamoDB::Table's Properties (the keys CreateTable shares)."""
    request: dict[str, Any] = {"TableName": table_name}
    for key in ("AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput"):
        if key in properties:
            request[key] = properties[key]
    if "GlobalSecondaryIndexes" in properties:
        request["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
    if "LocalSecondaryIndexes" in properties:
        request["LocalSecondaryIndexes"] = properties["LocalSecondaryIndexes"]
    sse = properties.get("SSESpecification")
    if sse:
        request["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
    return request


def create_table(dynamodb: Any, properties: dict[str, Any], table_name: str) -> None:
    """Create one table as the template declares it, with its TTL and point-in-time recovery."""
    dynamodb.create_table(**create_table_request(properties, table_name))
    dynamodb.get_waiter("table_exists").wait(TableName=table_name)
    ttl = properties.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
        )
    pitr = properties.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(
            TableName=table_name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )


def merged_function_properties(template: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    """A function's properties with the template's Globals.Function underneath, as SAM merges them."""
    merged = dict(template.get("Globals", {}).get("Function", {}))
    for key, value in resource.get("Properties", {}).items():
        if key == "Environment":
            variables = {
                **merged.get("Environment", {}).get("Variables", {}),
                **value.get("Variables", {}),
            }
            merged["Environment"] = {"Variables": variables}
        else:
            merged[key] = value
    return merged
