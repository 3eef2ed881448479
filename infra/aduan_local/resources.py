"""Creates the template's resources in the emulator and resolves intrinsics to what was created.

Tables, queues (dead-letter queues first, so redrive policies can point at them), Cognito user
pools, clients and groups, SNS topics and SES identities. Everything else in the template
(alarms, roles, the HTTP API itself) has nothing to emulate here and is skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import boto3

from aduan_local.template import create_table, resources_of_type

ACCOUNT_ID = "123456789012"  # moto's default account


class TemplateError(Exception):
    """The template asks for something the local stack cannot resolve."""


@dataclass
class Resources:
    """Physical names and attributes of what was created, by logical ID."""

    stack_name: str
    region: str
    endpoint: str
    parameters: dict[str, Any]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    def pseudo(self, name: str) -> str:
        values = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT_ID}:stack/{self.stack_name}",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": "",
        }
        if name not in values:
            raise TemplateError(f"unknown pseudo parameter {name}")
        return values[name]

    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters:
            return self.parameters[name]
        if name in self.refs:
            return self.refs[name]
        raise TemplateError(f"!Ref {name}: no such parameter or local resource")

    def get_att(self, name: str, attribute: str) -> str:
        if (name, attribute) not in self.attributes:
            raise TemplateError(f"!GetAtt {name}.{attribute}: not emulated locally")
        return self.attributes[(name, attribute)]

    def resolve(self, value: Any) -> Any:
        """Evaluate Ref, GetAtt, Sub, Join, Select and Split against the local resources."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Fn::GetAtt":
                name, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
                return self.get_att(name, attribute)
            if key == "Fn::Sub":
                return self._sub(argument)
            if key == "Fn::Join":
                separator, items = argument
                return separator.join(str(item) for item in self.resolve(items))
            if key == "Fn::Select":
                index, items = argument
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = argument
                return str(self.resolve(text)).split(separator)
        return {key: self.resolve(item) for key, item in value.items()}

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {name: self.resolve(item) for name, item in variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return str(self.ref(name))

        return re.sub(r"\$\{([^!][^}]*)\}", replace, text)


def emulator_client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client for the emulator (which takes any credentials)."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )


def parameter_values(template: dict[str, Any], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in template.get("Parameters", {}).items():
        value = (overrides or {}).get(name, spec.get("Default"))
        if value is None:
            raise TemplateError(f"parameter {name} has no default: pass it")
        if spec.get("Type") == "CommaDelimitedList" and isinstance(value, str):
            value = [item.strip() for item in value.split(",")]
        values[name] = value
    return values


def provision(
    template: dict[str, Any],
    endpoint: str,
    *,
    region: str,
    stack_name: str = "aduan-local",
    parameters: dict[str, Any] | None = None,
) -> Resources:
    """Create every emulated resource of the template; returns how to resolve references to them."""
    local = Resources(stack_name, region, endpoint, parameter_values(template, parameters))

    def client(service: str) -> Any:
        return emulator_client(service, endpoint, region)

    _tables(template, local, client("dynamodb"))
    _queues(template, local, client("sqs"))
    _user_pools(template, local, client("cognito-idp"))
    _topics(template, local, client("sns"))
    _email_identities(template, local, client("sesv2"))
    _secrets(template, local, client("secretsmanager"))
    for logical_id in resources_of_type(template, "AWS::Serverless::Function"):
        local.refs[logical_id] = f"{stack_name}-{logical_id}"
        local.attributes[(logical_id, "Arn")] = (
            f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{stack_name}-{logical_id}"
        )
    for logical_id in resources_of_type(template, "AWS::Serverless::HttpApi"):
        local.refs[logical_id] = "local"
    return local


def _physical_name(local: Resources, logical_id: str, properties: dict[str, Any], key: str) -> str:
    name = properties.get(key)
    return str(local.resolve(name)) if name else f"{local.stack_name}-{logical_id}"


def _tables(template: dict[str, Any], local: Resources, dynamodb: Any) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        properties = resource["Properties"]
        name = _physical_name(local, logical_id, properties, "TableName")
        create_table(dynamodb, properties, name)
        local.refs[logical_id] = name
        arn = f"arn:aws:dynamodb:{local.region}:{ACCOUNT_ID}:table/{name}"
        local.attributes[(logical_id, "Arn")] = arn


_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
)


def _queues(template: dict[str, Any], local: Resources, sqs: Any) -> None:
    queues = resources_of_type(template, "AWS::SQS::Queue")
    # Dead-letter queues first: a redrive policy names its DLQ's ARN.
    ordered = sorted(queues.items(), key=lambda item: "RedrivePolicy" in item[1].get("Properties", {}))
    for logical_id, resource in ordered:
        properties = resource.get("Properties", {})
        name = _physical_name(local, logical_id, properties, "QueueName")
        attributes = {
            key: str(properties[key]).lower() if isinstance(properties[key], bool) else str(properties[key])
            for key in _QUEUE_ATTRIBUTES
            if key in properties
        }
        if "RedrivePolicy" in properties:
            attributes["RedrivePolicy"] = json.dumps(local.resolve(properties["RedrivePolicy"]))
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        local.refs[logical_id] = url
        local.attributes[(logical_id, "Arn")] = f"arn:aws:sqs:{local.region}:{ACCOUNT_ID}:{name}"
        local.attributes[(logical_id, "QueueName")] = name
        local.attributes[(logical_id, "QueueUrl")] = url


# What moto takes of a user pool's properties. Threat protection (UserPoolAddOns, UserPoolTier) is
# not emulated, and moto would have to evaluate the !If that guards it: both are left out.
_USER_POOL_PROPERTIES = ("Schema", "Policies", "UsernameConfiguration", "AdminCreateUserConfig")


def create_user_pool(cognito: Any, properties: dict[str, Any], name: str) -> str:
    """A user pool from a template's (resolved) properties, with its MFA configuration; its ID."""
    request = {key: properties[key] for key in _USER_POOL_PROPERTIES if key in properties}
    pool_id = str(cognito.create_user_pool(PoolName=name, **request)["UserPool"]["Id"])
    if properties.get("MfaConfiguration", "OFF") != "OFF":
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration=properties["MfaConfiguration"],
            SoftwareTokenMfaConfiguration={
                "Enabled": "SOFTWARE_TOKEN_MFA" in properties.get("EnabledMfas", [])
            },
        )
    return pool_id


def _user_pools(template: dict[str, Any], local: Resources, cognito: Any) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::Cognito::UserPool").items():
        properties = resource.get("Properties", {})
        resolved = {
            key: local.resolve(properties[key])
            for key in (*_USER_POOL_PROPERTIES, "MfaConfiguration", "EnabledMfas")
            if key in properties
        }
        name = _physical_name(local, logical_id, properties, "UserPoolName")
        pool_id = create_user_pool(cognito, resolved, name)
        local.refs[logical_id] = pool_id
        local.attributes[(logical_id, "Arn")] = (
            f"arn:aws:cognito-idp:{local.region}:{ACCOUNT_ID}:userpool/{pool_id}"
        )
        local.attributes[(logical_id, "ProviderName")] = f"cognito-idp.{local.region}.amazonaws.com/{pool_id}"
        local.attributes[(logical_id, "UserPoolId")] = pool_id
    for logical_id, resource in resources_of_type(template, "AWS::Cognito::UserPoolClient").items():
        properties = resource.get("Properties", {})
        request = {
            "UserPoolId": local.resolve(properties["UserPoolId"]),
            "ClientName": _physical_name(local, logical_id, properties, "ClientName"),
        }
        if "ExplicitAuthFlows" in properties:
            request["ExplicitAuthFlows"] = properties["ExplicitAuthFlows"]
        client_id = cognito.create_user_pool_client(**request)["UserPoolClient"]["ClientId"]
        local.refs[logical_id] = client_id
    for logical_id, resource in resources_of_type(template, "AWS::Cognito::UserPoolGroup").items():
        properties = resource.get("Properties", {})
        name = _physical_name(local, logical_id, properties, "GroupName")
        cognito.create_group(GroupName=name, UserPoolId=local.resolve(properties["UserPoolId"]))
        local.refs[logical_id] = name


def _topics(template: dict[str, Any], local: Resources, sns: Any) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::SNS::Topic").items():
        properties = resource.get("Properties", {})
        arn = sns.create_topic(Name=_physical_name(local, logical_id, properties, "TopicName"))["TopicArn"]
        local.refs[logical_id] = arn
        local.attributes[(logical_id, "TopicArn")] = arn


def _email_identities(template: dict[str, Any], local: Resources, sesv2: Any) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::SES::EmailIdentity").items():
        identity = str(local.resolve(resource["Properties"]["EmailIdentity"]))
        sesv2.create_email_identity(EmailIdentity=identity)
        local.refs[logical_id] = identity


def _secrets(template: dict[str, Any], local: Resources, secretsmanager: Any) -> None:
    for logical_id, resource in resources_of_type(template, "AWS::SecretsManager::Secret").items():
        properties = resource.get("Properties", {})
        name = _physical_name(local, logical_id, properties, "Name")
        if "SecretString" in properties:
            value = str(local.resolve(properties["SecretString"]))
        else:
            generate = properties.get("GenerateSecretString", {})
            value = secretsmanager.get_random_password(
                PasswordLength=int(generate.get("PasswordLength", 32)),
                ExcludePunctuation=bool(generate.get("ExcludePunctuation", False)),
            )["RandomPassword"]
        arn = secretsmanager.create_secret(Name=name, SecretString=value)["ARN"]
        local.refs[logical_id] = arn
        local.attributes[(logical_id, "Id")] = arn
