"""Creates the template's resources in the emulator and resolves intrinsics to what was created.

Tables, queues (dead-letter queues first, so redrive policies can point at them), Cognito user
pools, clients and groups, SNS topics, S3 buckets (their CORS rules, notifications, encryption and
versioning) and SES identities. Everything else in the template (alarms, roles, the HTTP API
itself) has nothing to emulate here and is skipped, as is a resource whose Condition is false.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import boto3

from aduan_local.template import create_table, resources_of_type

ACCOUNT_ID = "123456789012"  # moto's default account
# The dummy credentials of the stack's own clients and of every function: the emulator takes any,
# but a POST upload's policy is signed with them and checked against them (aduan_local.s3).
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"  # noqa: S105


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
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
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
    template = {**template, "Resources": present_resources(template, local)}

    def client(service: str) -> Any:
        return emulator_client(service, endpoint, region)

    _tables(template, local, client("dynamodb"))
    _queues(template, local, client("sqs"))
    _user_pools(template, local, client("cognito-idp"))
    _topics(template, local, client("sns"))
    _buckets(template, local, client("s3"))  # after queues and topics: notifications name them
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


def condition_holds(template: dict[str, Any], name: str, local: Resources) -> bool:
    """Whether the template's condition `name` is true here (Equals, Not, And, Or, Condition)."""
    conditions = template.get("Conditions", {})
    if name not in conditions:
        raise TemplateError(f"Condition {name}: no such condition")

    def holds(expression: Any) -> bool:
        ((function, argument),) = expression.items()
        if function == "Condition":
            return condition_holds(template, argument, local)
        if function == "Fn::Equals":
            left, right = (local.resolve(item) for item in argument)
            return str(left) == str(right)
        if function == "Fn::Not":
            return not holds(argument[0])
        if function == "Fn::And":
            return all(holds(item) for item in argument)
        if function == "Fn::Or":
            return any(holds(item) for item in argument)
        raise TemplateError(f"Condition {name}: {function} is not a condition function")

    return holds(conditions[name])


def present_resources(template: dict[str, Any], local: Resources) -> dict[str, dict[str, Any]]:
    """The template's resources that CloudFormation would create here: those whose Condition holds."""
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if "Condition" not in resource or condition_holds(template, resource["Condition"], local)
    }


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


def _buckets(template: dict[str, Any], local: Resources, s3: Any) -> None:
    """Each bucket with its CORS rules, its notifications to queues and topics (S3 sends its test
    event on the way), its default encryption and its versioning. Lifecycle rules, public access
    blocks, ownership controls, logging and bucket policies are accepted and not applied: moto would
    store them and enforce none (docs/local-stack.md)."""
    for logical_id, resource in resources_of_type(template, "AWS::S3::Bucket").items():
        properties = resource.get("Properties", {})
        # CloudFormation's generated names are lowercase, as every bucket name must be.
        name = properties.get("BucketName") and str(local.resolve(properties["BucketName"]))
        name = name or f"{local.stack_name}-{logical_id}".lower()[:63]
        request: dict[str, Any] = {"Bucket": name}
        if local.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": local.region}
        s3.create_bucket(**request)
        local.refs[logical_id] = name
        local.attributes[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        local.attributes[(logical_id, "DomainName")] = f"{name}.s3.amazonaws.com"
        local.attributes[(logical_id, "RegionalDomainName")] = f"{name}.s3.{local.region}.amazonaws.com"
        if "VersioningConfiguration" in properties:
            status = local.resolve(properties["VersioningConfiguration"])["Status"]
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
        if "BucketEncryption" in properties:
            rules = local.resolve(properties["BucketEncryption"])["ServerSideEncryptionConfiguration"]
            s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration={"Rules": [_encryption_rule(r) for r in rules]}
            )
        if "CorsConfiguration" in properties:
            rules = local.resolve(properties["CorsConfiguration"])["CorsRules"]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [_cors_rule(r) for r in rules]})
        if "NotificationConfiguration" in properties:
            notifications = _notifications(logical_id, local.resolve(properties["NotificationConfiguration"]))
            s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notifications)


# A CORS rule's properties in CloudFormation, and their names in PutBucketCors.
_CORS_KEYS = {
    "Id": "ID",
    "AllowedOrigins": "AllowedOrigins",
    "AllowedMethods": "AllowedMethods",
    "AllowedHeaders": "AllowedHeaders",
    "ExposedHeaders": "ExposeHeaders",
    "MaxAge": "MaxAgeSeconds",
}


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    unknown = set(rule) - set(_CORS_KEYS)
    if unknown:
        raise TemplateError(f"CorsRules: {sorted(unknown)} not emulated")
    return {_CORS_KEYS[key]: int(value) if key == "MaxAge" else value for key, value in rule.items()}


def _encryption_rule(rule: dict[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
    if "BucketKeyEnabled" in rule:
        converted["BucketKeyEnabled"] = bool(rule["BucketKeyEnabled"])
    return converted


# CloudFormation's notification lists, and what PutBucketNotificationConfiguration calls them.
_NOTIFICATION_TARGETS = {
    "QueueConfigurations": ("Queue", "QueueArn"),
    "TopicConfigurations": ("Topic", "TopicArn"),
}


def _notifications(logical_id: str, configuration: dict[str, Any]) -> dict[str, Any]:
    """A bucket's NotificationConfiguration, from CloudFormation's shape to S3's API's. Lambda and
    EventBridge targets are refused: nothing here would receive them."""
    unknown = set(configuration) - set(_NOTIFICATION_TARGETS)
    if unknown:
        raise TemplateError(f"{logical_id}: {sorted(unknown)} not emulated locally; notify a queue")
    request: dict[str, Any] = {}
    for key, (target, api_target) in _NOTIFICATION_TARGETS.items():
        for item in configuration.get(key, []):
            entry: dict[str, Any] = {api_target: item[target], "Events": [item["Event"]]}
            rules = item.get("Filter", {}).get("S3Key", {}).get("Rules", [])
            if rules:
                # S3 takes the rule names in any case; moto only in lowercase.
                entry["Filter"] = {
                    "Key": {"FilterRules": [{"Name": r["Name"].lower(), "Value": r["Value"]} for r in rules]}
                }
            request.setdefault(key, []).append(entry)
    return request


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
