"""template.yaml holds what we promise about the deployed system: least privilege, no Scan,
every queue drained into a watched DLQ with partial batch failures, evidence private by
construction, and a build that needs neither Docker nor python3.13.

The checks run on the template as the SAM translator expands it, offline, so that a policy
template such as DynamoDBCrudPolicy is judged by the statements it really grants. Each checker
is shown to catch a broken copy of the template, so a green run means something.
"""

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_all, lint_file
from samtranslator.translator.transform import transform

from aduan_local.template import load_template, merged_function_properties, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
BUILD_MAKEFILE = ROOT / "infra" / "build" / "Makefile"
ROUTES = {
    ("GET", "/health"),
    ("POST", "/complaints"),
    ("GET", "/complaints/{tracking_id}"),
    ("POST", "/complaints/{tracking_id}/replies"),
    ("POST", "/complaints/{tracking_id}/attachments"),
    ("GET", "/categories"),
    ("GET", "/agencies"),
    ("GET", "/regions"),
}
Template = dict[str, Any]
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


class _NoManagedPolicies:
    """Stands in for the loader that would ask IAM for managed policy ARNs (no network in tests)."""

    def load(self) -> dict[str, str]:
        return {}


def translate(template: Template) -> Template:
    """Expand the SAM template to CloudFormation, as `sam deploy` would after `sam package`."""
    packaged = copy.deepcopy(template)
    for logical_id, resource in packaged["Resources"].items():
        for key in ("CodeUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = f"s3://aduan-artifacts/{logical_id}.zip"
    translated: Template = transform(packaged, {}, _NoManagedPolicies())
    return translated


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a value, intrinsics included (a Fn::Sub pattern is a string too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _policy_documents(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    for lid, res in template["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield lid, policy["PolicyDocument"]
        elif res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            yield lid, props["PolicyDocument"]


def _statements(template: Template) -> Iterator[tuple[str, dict[str, Any]]]:
    for lid, document in _policy_documents(template):
        for statement in _as_list(document["Statement"]):
            yield lid, statement


def _names_a_prefix(resource: str, buckets: set[str]) -> bool:
    """`${<bucket>.Arn}/<prefix>/*` of a bucket of this template: the objects under one named
    prefix (quarantine/, evidence/), not the whole bucket."""
    match = re.fullmatch(r"\$\{(\w+)\.Arn\}/(?:[\w.-]+/)+\*", resource)
    return match is not None and match.group(1) in buckets


def policy_problems(template: Template) -> list[str]:
    """What in a translated template grants more than a named action on a named resource (or on
    the objects under a named prefix of one of its buckets)."""
    problems = []
    buckets = set(resources_of_type(template, "AWS::S3::Bucket"))
    for lid, res in resources_of_type(template, "AWS::IAM::Role").items():
        for arn in _strings(res["Properties"].get("ManagedPolicyArns", [])):
            if arn.endswith("FullAccess"):
                problems.append(f"{lid}: managed policy {arn}")
    statements = list(_statements(template))
    # SMS to phone numbers (sns:Publish with PhoneNumber) has no resource to name; "*" is allowed
    # for it only where the same role denies publishing to every topic.
    sms_only = {
        lid
        for lid, statement in statements
        if statement.get("Effect") == "Deny"
        and "sns:Publish" in _strings(statement.get("Action", []))
        and any(":sns:*:*:*" in resource for resource in _strings(statement.get("Resource", [])))
    }
    for lid, statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = list(_strings(statement.get("Action", [])))
        if (
            lid in sms_only
            and actions == ["sns:Publish"]
            and list(_strings(statement.get("Resource"))) == ["*"]
        ):
            continue
        for negated in ("NotAction", "NotResource"):
            if negated in statement:
                problems.append(f"{lid}: Allow with {negated}")
        for action in _strings(statement.get("Action", [])):
            if "*" in action:
                problems.append(f"{lid}: wildcard action {action}")
            if action.lower().endswith(":scan"):
                problems.append(f"{lid}: {action}")
        for resource in _strings(statement.get("Resource", [])):
            if resource == "*" or (
                resource.endswith((":*", "/*")) and not _names_a_prefix(resource, buckets)
            ):
                problems.append(f"{lid}: wildcard resource {resource}")
    return problems


def _is_dead_letter_queue(logical_id: str, queues: dict[str, Any]) -> bool:
    targets = {
        _as_list(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"].get("Fn::GetAtt", [None]))[0]
        for q in queues.values()
        if "RedrivePolicy" in q.get("Properties", {})
    }
    return logical_id in targets or "deadletter" in logical_id.lower() or logical_id.lower().endswith("dlq")


def _alarms_on_first_message(template: Template) -> set[str]:
    """Queues with an alarm that fires as soon as one message is visible."""
    watched = set()
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("MetricName") != "ApproximateNumberOfMessagesVisible":
            continue
        threshold, operator = float(props.get("Threshold", 0)), props.get("ComparisonOperator")
        fires = (operator == "GreaterThanOrEqualToThreshold" and threshold <= 1) or (
            operator == "GreaterThanThreshold" and threshold < 1
        )
        if not fires:
            continue
        for dimension in props.get("Dimensions", []):
            if dimension["Name"] == "QueueName" and "Fn::GetAtt" in dimension["Value"]:
                watched.add(dimension["Value"]["Fn::GetAtt"][0])
    return watched


def queue_problems(template: Template) -> list[str]:
    """Queues whose failed messages would be lost, or would pile up unseen."""
    queues = resources_of_type(template, "AWS::SQS::Queue")
    watched = _alarms_on_first_message(template)
    problems = []
    for lid, queue in queues.items():
        if _is_dead_letter_queue(lid, queues):
            if lid not in watched:
                problems.append(f"{lid}: dead-letter queue without an alarm")
            continue
        redrive = queue.get("Properties", {}).get("RedrivePolicy")
        target = _as_list((redrive or {}).get("deadLetterTargetArn", {}).get("Fn::GetAtt", [None]))[0]
        if target not in queues:
            problems.append(f"{lid}: no RedrivePolicy to a dead-letter queue in this template")
    return problems


@pytest.fixture(autouse=True)
def _offline_region(monkeypatch: pytest.MonkeyPatch) -> None:
    # The translator asks boto3 for a region to pick the ARN partition; no credentials, no calls.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(TEMPLATE)


@pytest.fixture
def translated(template: Template) -> Template:
    return translate(template)


def test_template_translates_to_arm64_python313_functions_with_the_layer(translated: Template) -> None:
    functions = resources_of_type(translated, "AWS::Lambda::Function")
    layers = resources_of_type(translated, "AWS::Lambda::LayerVersion")
    intake = functions["IntakeFunction"]["Properties"]
    assert intake["Runtime"] == "python3.13"
    assert intake["Architectures"] == ["arm64"]
    assert intake["Handler"] == "app.handler"
    assert [layer["Ref"] for layer in intake["Layers"]] == list(layers)
    assert intake["Environment"]["Variables"]["ROUTING_QUEUE_URL"] == {"Ref": "RoutingQueue"}


def test_intake_serves_the_public_routes_on_the_http_api(translated: Template) -> None:
    api = resources_of_type(translated, "AWS::ApiGatewayV2::Api")["HttpApi"]
    paths = api["Properties"]["Body"]["paths"]
    served = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert served >= ROUTES
    cors = api["Properties"]["Body"]["x-amazon-apigateway-cors"]
    assert set(cors["allowHeaders"]) >= {"idempotency-key", "x-access-code"}


def test_cfn_lint_reports_nothing() -> None:
    matches = lint_file(TEMPLATE)
    assert [str(match) for match in matches] == []


def test_cfn_lint_catches_an_invalid_property() -> None:
    broken = TEMPLATE.read_text().replace("VisibilityTimeout: 60", "VisibilityTimeout: 99999")
    assert lint_all(broken)


def test_no_function_is_granted_a_wildcard_a_scan_or_full_access(translated: Template) -> None:
    assert policy_problems(translated) == []


def test_intake_may_only_read_and_write_its_items_and_send_to_routing(translated: Template) -> None:
    role = translated["Resources"]["IntakeFunctionRole"]["Properties"]
    granted = {
        (action, json.dumps(statement["Resource"], sort_keys=True))
        for document in role["Policies"]
        for statement in _as_list(document["PolicyDocument"]["Statement"])
        for action in _as_list(statement["Action"])
    }
    table = json.dumps({"Fn::GetAtt": ["ComplaintsTable", "Arn"]})
    queues = json.dumps(
        [{"Fn::GetAtt": ["RoutingQueue", "Arn"]}, {"Fn::GetAtt": ["NotificationQueue", "Arn"]}]
    )
    secrets = json.dumps([{"Ref": "ReporterKeySecret"}, {"Ref": "OriginVerifySecret"}])
    table_actions = ["GetItem", "PutItem", "Query", "UpdateItem"]
    assert granted == {
        *((f"dynamodb:{action}", table) for action in table_actions),
        ("sqs:SendMessage", queues),
        ("secretsmanager:GetSecretValue", secrets),
        ("s3:PutObject", json.dumps({"Fn::Sub": "${EvidenceBucket.Arn}/quarantine/*"})),
        ("s3:GetObject", json.dumps({"Fn::Sub": "${EvidenceBucket.Arn}/evidence/*"})),
    }
    # It updates nothing but the day's counts (aduan.domain.allowance): their keys start QUOTA#.
    updates = [
        statement
        for document in role["Policies"]
        for statement in _as_list(document["PolicyDocument"]["Statement"])
        if "dynamodb:UpdateItem" in _as_list(statement["Action"])
    ]
    assert [statement["Condition"] for statement in updates] == [
        {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["QUOTA#*"]}}
    ]


def _intake_statements(template: Template) -> list[dict[str, Any]]:
    intake = template["Resources"]["IntakeFunction"]["Properties"]
    statements: list[dict[str, Any]] = intake["Policies"][0]["Statement"]
    return statements


def _grant_wildcard_action(template: Template) -> None:
    _intake_statements(template)[0]["Action"].append("dynamodb:*")


def _grant_wildcard_resource(template: Template) -> None:
    _intake_statements(template)[-1]["Resource"] = "*"


def _grant_scan(template: Template) -> None:
    _intake_statements(template)[0]["Action"].append("dynamodb:Scan")


def _add_crud_policy_template(template: Template) -> None:
    policies = template["Resources"]["IntakeFunction"]["Properties"]["Policies"]
    policies.append({"DynamoDBCrudPolicy": {"TableName": {"Ref": "ComplaintsTable"}}})


def _add_full_access(template: Template) -> None:
    policies = template["Resources"]["IntakeFunction"]["Properties"]["Policies"]
    policies.append("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")


def _grant_the_whole_evidence_bucket(template: Template) -> None:
    _intake_statements(template)[-1]["Resource"] = {"Fn::Sub": "${EvidenceBucket.Arn}/*"}


def _grant_a_prefix_of_a_bucket_elsewhere(template: Template) -> None:
    _intake_statements(template)[-1]["Resource"] = {"Fn::Sub": "${SomeoneElsesBucket.Arn}/evidence/*"}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_grant_wildcard_action, "wildcard action dynamodb:*"),
        (_grant_wildcard_resource, "wildcard resource *"),
        (_grant_scan, "dynamodb:Scan"),
        (_add_crud_policy_template, "dynamodb:Scan"),
        (_add_full_access, "managed policy arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"),
        (_grant_the_whole_evidence_bucket, "wildcard resource ${EvidenceBucket.Arn}/*"),
        (_grant_a_prefix_of_a_bucket_elsewhere, "wildcard resource ${SomeoneElsesBucket.Arn}/evidence/*"),
    ],
)
def test_policy_checker_catches(template: Template, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    assert f"IntakeFunctionRole: {expected}" in policy_problems(translate(broken))


def test_every_queue_redrives_to_a_dead_letter_queue_that_alarms(translated: Template) -> None:
    assert resources_of_type(translated, "AWS::SQS::Queue")
    assert queue_problems(translated) == []


def test_queue_checker_catches_a_queue_without_redrive(template: Template) -> None:
    broken = copy.deepcopy(template)
    del broken["Resources"]["RoutingQueue"]["Properties"]["RedrivePolicy"]
    assert queue_problems(translate(broken)) == [
        "RoutingQueue: no RedrivePolicy to a dead-letter queue in this template"
    ]


def test_queue_checker_catches_an_unwatched_dead_letter_queue(template: Template) -> None:
    broken = copy.deepcopy(template)
    del broken["Resources"]["RoutingDeadLetterAlarm"]
    assert queue_problems(translate(broken)) == ["RoutingDeadLetterQueue: dead-letter queue without an alarm"]


def batch_problems(template: Template) -> list[str]:
    """SQS-fed functions whose failures would cost their whole batch, or whose messages would come
    back while the invocation that took them still runs."""
    queues = resources_of_type(template, "AWS::SQS::Queue")
    problems = []
    for lid, function in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = merged_function_properties(template, function)
        for name, event in properties.get("Events", {}).items():
            if event["Type"] != "SQS":
                continue
            source = event["Properties"]
            if "ReportBatchItemFailures" not in source.get("FunctionResponseTypes", []):
                problems.append(f"{lid}.{name}: no ReportBatchItemFailures (one failure fails the batch)")
            if "BatchSize" not in source:
                problems.append(f"{lid}.{name}: no BatchSize")
            queue = _as_list(source["Queue"]["Fn::GetAtt"])[0]
            visibility = queues[queue]["Properties"].get("VisibilityTimeout", 30)
            # Lambda refuses less than the timeout; twice it leaves room for the batching window
            # and for the records handed back at the end of a long batch (aduan.doors.sqs_batch).
            if visibility < 2 * properties["Timeout"]:
                timeout = properties["Timeout"]
                problems.append(
                    f"{queue}: visibility timeout {visibility} s, under twice {lid}'s {timeout} s"
                )
    return problems


def test_every_queue_consumer_reports_partial_batch_failures_and_outlasts_its_messages(
    template: Template,
) -> None:
    consumers = {
        lid
        for lid, function in resources_of_type(template, "AWS::Serverless::Function").items()
        if any(e["Type"] == "SQS" for e in function["Properties"].get("Events", {}).values())
    }
    assert consumers >= {
        "RoutingFunction",
        "NotificationFunction",
        "EscalationFunction",
        "AttachmentFunction",
    }
    assert batch_problems(template) == []


def _whole_batches(template: Template) -> None:
    del template["Resources"]["AttachmentFunction"]["Properties"]["Events"]["Uploaded"]["Properties"][
        "FunctionResponseTypes"
    ]


def _short_visibility(template: Template) -> None:
    template["Resources"]["AttachmentQueue"]["Properties"]["VisibilityTimeout"] = 60


def _global_timeout(template: Template) -> None:
    # A function without its own Timeout gets the Globals' (10 s): 60 s is then enough.
    del template["Resources"]["AttachmentFunction"]["Properties"]["Timeout"]
    template["Resources"]["AttachmentQueue"]["Properties"]["VisibilityTimeout"] = 20
    template["Globals"]["Function"]["Timeout"] = 30


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _whole_batches,
            "AttachmentFunction.Uploaded: no ReportBatchItemFailures (one failure fails the batch)",
        ),
        (
            _short_visibility,
            "AttachmentQueue: visibility timeout 60 s, under twice AttachmentFunction's 60 s",
        ),
        (_global_timeout, "AttachmentQueue: visibility timeout 20 s, under twice AttachmentFunction's 30 s"),
    ],
)
def test_batch_checker_catches(template: Template, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    assert batch_problems(broken) == [expected]


def test_outputs_give_the_api_url_table_and_queue(template: Template) -> None:
    assert set(template["Outputs"]) >= {
        "ApiUrl",
        "TableName",
        "RoutingQueueUrl",
        "EvidenceBucketName",
        "AttachmentQueueUrl",
    }


def make_dry_run(target: str) -> subprocess.CompletedProcess[str]:
    """Ask infra/build/Makefile whether it can build a target, without building it."""
    command = ["make", "--dry-run", "--makefile", str(BUILD_MAKEFILE), target, "ARTIFACTS_DIR=/nowhere"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@needs_make
def test_every_built_resource_has_a_target_in_the_shared_makefile(template: Template) -> None:
    built = {
        lid: res
        for lid, res in template["Resources"].items()
        if res["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion")
    }
    assert built
    for lid, res in built.items():
        # BuildMethod makefile: no local python3.13 needed; ContextPath: one Makefile for all.
        assert res.get("Metadata", {}).get("BuildMethod") == "makefile", lid
        assert res["Metadata"].get("ContextPath") == "infra/build", lid
        result = make_dry_run(f"build-{lid}")
        assert result.returncode == 0, result.stderr


@needs_make
def test_makefile_check_catches_a_resource_without_a_target() -> None:
    assert make_dry_run("build-RoutingQueue").returncode != 0


# -- the edge: AWS WAF's rate limits in front of the public routes, and no way around them --------

PUBLIC_REQUESTS = {
    "reports": ("POST", "/complaints"),
    "SMS webhook": ("POST", "/sms/inbound"),
    "WhatsApp webhook": ("POST", "/whatsapp/webhook"),
}


def edge_problems(template: Template) -> list[str]:
    """What lets a client past AWS WAF's per-client limits: no CLOUDFRONT web ACL with a rate rule
    over each public route, a distribution without it, or an API that answers without CloudFront's
    secret header (every function behind the HTTP API must check it, and every API path of the
    distribution must carry the client's address)."""
    from aduan.doors import edge
    from aduan_local.edge import web_acl_rules
    from aduan_local.resources import Resources

    problems = []
    local = Resources(
        "t", "us-east-1", "http://nowhere", {name: "10" for name in template.get("Parameters", {})}
    )

    acls = {
        lid: acl
        for lid, acl in resources_of_type(template, "AWS::WAFv2::WebACL").items()
        if acl["Properties"].get("Scope") == "CLOUDFRONT"
    }
    if not acls:
        problems.append("no CLOUDFRONT web ACL")
    rules = web_acl_rules(template, local)
    for name, (method, path) in PUBLIC_REQUESTS.items():
        if not any(rule.applies(method, path) and rule.status == 429 for rule in rules):
            problems.append(f"no rate-based rule answering 429 on {name} ({method} {path})")
    for lid, distribution in resources_of_type(template, "AWS::CloudFront::Distribution").items():
        config = distribution["Properties"]["DistributionConfig"]
        if not any(acl in json.dumps(config.get("WebACLId", "")) for acl in acls):
            problems.append(f"{lid}: no web ACL of this template")
        api_origins = [o for o in config["Origins"] if "execute-api" in json.dumps(o["DomainName"])]
        for origin in api_origins:
            sent = {h["HeaderName"].lower(): h["HeaderValue"] for h in origin.get("OriginCustomHeaders", [])}
            if "OriginVerifySecret" not in json.dumps(sent.get(edge.ORIGIN_HEADER, "")):
                problems.append(f"{lid}: origin {origin['Id']} does not send {edge.ORIGIN_HEADER}")
        for behaviour in config.get("CacheBehaviors", []):
            if behaviour["TargetOriginId"] in {o["Id"] for o in api_origins}:
                functions = json.dumps(behaviour.get("FunctionAssociations", []))
                if "ApiViewerRequest" not in functions or "viewer-request" not in functions:
                    problems.append(f"{lid}: {behaviour['PathPattern']} does not tell the API the client")
    for lid, function in resources_of_type(template, "AWS::Serverless::Function").items():
        properties = function["Properties"]
        behind_api = any(event["Type"] == "HttpApi" for event in properties.get("Events", {}).values())
        variables = properties.get("Environment", {}).get("Variables", {})
        if behind_api and variables.get("ORIGIN_SECRET_ARN") != {"Ref": "OriginVerifySecret"}:
            problems.append(f"{lid}: answers without checking {edge.ORIGIN_HEADER}")
    return problems


def test_aws_waf_limits_each_client_on_the_public_routes_and_nothing_reaches_the_api_around_it(
    template: Template,
) -> None:
    assert edge_problems(template) == []


def _detach_web_acl(template: Template) -> None:
    del template["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]["WebACLId"]


def _drop_the_reports_rule(template: Template) -> None:
    rules = template["Resources"]["EdgeWebAcl"]["Properties"]["Rules"]
    rules[:] = [rule for rule in rules if rule["Name"] not in ("ReportsPerClient", "RequestsPerClient")]


def _regional_web_acl(template: Template) -> None:
    template["Resources"]["EdgeWebAcl"]["Properties"]["Scope"] = "REGIONAL"


def _no_origin_secret(template: Template) -> None:
    config = template["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]
    for origin in config["Origins"]:
        origin.pop("OriginCustomHeaders", None)


def _sms_function_unchecked(template: Template) -> None:
    del template["Resources"]["SmsFunction"]["Properties"]["Environment"]["Variables"]["ORIGIN_SECRET_ARN"]


def _complaints_path_without_client_address(template: Template) -> None:
    config = template["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]
    del config["CacheBehaviors"][0]["FunctionAssociations"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_detach_web_acl, "WebDistribution: no web ACL of this template"),
        (_drop_the_reports_rule, "no rate-based rule answering 429 on reports (POST /complaints)"),
        (_regional_web_acl, "no CLOUDFRONT web ACL"),
        (_no_origin_secret, "WebDistribution: origin api does not send x-origin-verify"),
        (_sms_function_unchecked, "SmsFunction: answers without checking x-origin-verify"),
        (
            _complaints_path_without_client_address,
            "WebDistribution: /complaints* does not tell the API the client",
        ),
    ],
)
def test_edge_checker_catches(template: Template, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    assert expected in edge_problems(broken)


def test_the_viewer_request_function_sets_the_headers_the_api_and_the_local_stack_read(
    template: Template,
) -> None:
    from aduan.doors import edge
    from aduan_local import edge as local_edge

    code = template["Resources"]["ApiViewerRequest"]["Properties"]["FunctionCode"]
    assert f"request.headers['{edge.CLIENT_ADDRESS_HEADER}'] = {{ value: event.viewer.ip }}" in code
    assert f"request.headers['{edge.PUBLIC_HOST_HEADER}'] = {{ value: request.headers.host.value }}" in code
    assert (local_edge.CLIENT_ADDRESS_HEADER, local_edge.PUBLIC_HOST_HEADER) == (
        edge.CLIENT_ADDRESS_HEADER,
        edge.PUBLIC_HOST_HEADER,
    )


def test_outside_us_east_1_the_edge_stack_is_template_yaml_s_own_web_acl(
    template: Template, tmp_path: Path
) -> None:
    import sys

    sys.path.insert(0, str(ROOT / "infra" / "build"))
    try:
        from edge_template import edge_template
    finally:
        sys.path.pop(0)
    edge_stack = edge_template(template)
    alone = {
        name: {key: value for key, value in template["Resources"][name].items() if key != "Condition"}
        for name in ("EdgeWebAcl", "EdgeLogBucket")
    }
    assert edge_stack["Resources"] == alone
    assert set(edge_stack["Parameters"]) == {"EdgeReportsPerFiveMinutes"}
    assert set(edge_stack["Outputs"]) == {"WebAclArn", "LogBucketDomain"}
    written = tmp_path / "edge.json"
    written.write_text(json.dumps(edge_stack))
    assert [str(match) for match in lint_file(written)] == []  # as `make lint` runs cfn-lint
    # The stack refuses to deploy elsewhere without it rather than leave the API unguarded.
    assertions = [item["Assert"] for item in template["Rules"]["EdgeWebAclGivenElsewhere"]["Assertions"]]
    assert assertions == [
        {"Fn::Not": [{"Fn::Equals": [{"Ref": "EdgeWebAclArn"}, ""]}]},
        {"Fn::Not": [{"Fn::Equals": [{"Ref": "EdgeLogBucketDomain"}, ""]}]},
    ]


# What an access log line may say about a request, and what would make it personal data.
_ACCESS_LOG_FIELDS = {
    "requestId",
    "time",
    "route",
    "path",
    "status",
    "bytes",
    "latencyMs",
    "integrationMs",
    "integrationStatus",
    "error",
    "integrationError",
    "operator",
    "authorizerError",
}
_PERSONAL_CONTEXT = (
    "$context.identity.",
    "$context.requestOverride",
    "querystring",
    "$input",
    "email",
    "phone",
)


def access_log_problems(template: Template) -> list[str]:
    """Why the HTTP API's access log would miss reads or carry personal data (empty when it is right)."""
    [api] = resources_of_type(template, "AWS::Serverless::HttpApi").values()
    settings = api["Properties"].get("AccessLogSettings")
    if not settings:
        return ["the HTTP API writes no access log"]
    problems = []
    line = json.loads(settings["Format"])  # one JSON object a line, as CloudWatch Logs Insights reads it
    if set(line) != _ACCESS_LOG_FIELDS:
        problems.append(f"fields {sorted(set(line) ^ _ACCESS_LOG_FIELDS)} differ from the documented ones")
    problems += [
        f"{key} logs {value}" for key, value in line.items() if any(p in value for p in _PERSONAL_CONTEXT)
    ]
    group = template["Resources"][settings["DestinationArn"]["Fn::GetAtt"][0]]
    if "RetentionInDays" not in group["Properties"]:
        problems.append("the access log group keeps lines forever")
    return problems


def test_every_api_request_is_logged_without_personal_data(template: Template) -> None:
    assert access_log_problems(template) == []
    assert json.loads(template["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"])[
        "operator"
    ] == (
        "$context.authorizer.claims.sub"  # who read: the audit of reads builds on it
    )


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda t: t["Resources"]["HttpApi"]["Properties"].pop("AccessLogSettings"), "writes no access log"),
        (
            lambda t: t["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"].update(
                Format=t["Resources"]["HttpApi"]["Properties"]["AccessLogSettings"]["Format"].replace(
                    "$context.error.message", "$context.identity.sourceIp"
                )
            ),
            "error logs $context.identity.sourceIp",
        ),
        (lambda t: t["Resources"]["ApiAccessLogs"]["Properties"].pop("RetentionInDays"), "forever"),
    ],
)
def test_access_log_checker_catches(template: Template, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    assert any(expected in problem for problem in access_log_problems(broken))


def test_cloudfront_and_the_page_bucket_write_logs_that_expire(template: Template) -> None:
    resources = template["Resources"]
    logging = resources["WebDistribution"]["Properties"]["DistributionConfig"]["Logging"]
    assert logging["IncludeCookies"] is False
    assert logging["Bucket"] == {
        "Fn::If": [
            "EdgeWebAclHere",
            {"Fn::GetAtt": ["EdgeLogBucket", "DomainName"]},
            {"Ref": "EdgeLogBucketDomain"},
        ]
    }
    # Standard logs are delivered with an ACL grant: the bucket must allow ACLs, and forget viewers.
    edge_bucket = resources["EdgeLogBucket"]["Properties"]
    assert edge_bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    assert edge_bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 30
    assert resources["WebBucket"]["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {
        "Ref": "LogBucket"
    }
    assert resources["LogBucket"]["Properties"]["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == {
        "Ref": "AccessLogDays"
    }
    for bucket in ("LogBucket", "EdgeLogBucket"):
        block = resources[bucket]["Properties"]["PublicAccessBlockConfiguration"]
        assert all(block.values()), bucket


def test_an_alarm_fires_before_the_account_s_sms_spend_limit_stops_every_text(template: Template) -> None:
    [alarm] = [
        alarm["Properties"]
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("Namespace") == "AWS/SNS"
    ]
    assert (alarm["MetricName"], alarm["Statistic"]) == ("SMSMonthToDateSpentUSD", "Maximum")
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (
        {"Ref": "SmsSpendAlarmUSD"},
        "GreaterThanOrEqualToThreshold",
    )


def test_the_intake_sms_and_delivery_functions_get_the_outbound_limits(template: Template) -> None:
    def variables(lid: str) -> dict[str, Any]:
        found: dict[str, Any] = template["Resources"][lid]["Properties"]["Environment"]["Variables"]
        return found

    expected = {
        "SMS_COUNTRY_CODES": {"Ref": "SmsCountryCodes"},
        "COMPLAINTS_PER_DESTINATION_PER_DAY": {"Ref": "ComplaintsPerDestinationPerDay"},
        "COMPLAINTS_PER_CLIENT_PER_DAY": {"Ref": "ComplaintsPerClientPerDay"},
    }
    intake = variables("IntakeFunction")
    assert {name: intake.get(name) for name in expected} == expected
    for texts_or_files in ("NotificationFunction", "SmsFunction"):  # a text report files like a web one
        assert variables(texts_or_files)["SMS_COUNTRY_CODES"] == {"Ref": "SmsCountryCodes"}


# -- evidence (DESIGN §4.1): a private bucket, one queue, and who may do what in it ---------------

QUARANTINE = "quarantine/"
# Every grant on the evidence bucket, by role: the two API functions sign upload forms (a presigned
# POST is allowed only if its signer may put the object) and 5-minute links to the checked files;
# the attachment function reads and deletes uploads and writes what it checked; the WhatsApp
# worker puts a file a citizen sent into quarantine, where it is checked as an upload is.
EVIDENCE_GRANTS = {
    "AttachmentFunctionRole": {
        ("s3:GetObject", "quarantine/*"),
        ("s3:DeleteObject", "quarantine/*"),
        ("s3:PutObject", "evidence/*"),
        ("s3:ListBucket", "the bucket"),  # a key that is gone is then 404, not 403
    },
    "IntakeFunctionRole": {("s3:PutObject", "quarantine/*"), ("s3:GetObject", "evidence/*")},
    "OpsFunctionRole": {("s3:PutObject", "quarantine/*"), ("s3:GetObject", "evidence/*")},
    "WhatsAppFunctionRole": {("s3:PutObject", "quarantine/*")},
}


def s3_grants(translated: Template) -> dict[str, set[tuple[str, str]]]:
    """Role → (S3 action, where in the evidence bucket): a prefix, `the bucket`, or the resource
    as written when it is anything else."""
    grants: dict[str, set[tuple[str, str]]] = {}
    for lid, statement in _statements(translated):
        if statement.get("Effect") != "Allow":
            continue
        for action in _strings(statement.get("Action", [])):
            if not action.startswith("s3:"):
                continue
            for resource in _as_list(statement["Resource"]):
                if resource == {"Fn::GetAtt": ["EvidenceBucket", "Arn"]}:
                    where = "the bucket"
                elif isinstance(resource, dict) and str(resource.get("Fn::Sub", "")).startswith(
                    "${EvidenceBucket.Arn}/"
                ):
                    where = resource["Fn::Sub"].removeprefix("${EvidenceBucket.Arn}/")
                else:
                    where = json.dumps(resource, sort_keys=True)
                grants.setdefault(lid, set()).add((action, where))
    return grants


def test_only_the_four_functions_touch_evidence_each_in_its_own_prefix(translated: Template) -> None:
    assert s3_grants(translated) == EVIDENCE_GRANTS


def _granting(template: Template, function: str, action: str) -> dict[str, Any]:
    """The one statement of a function's inline policy that grants `action`."""
    [statement] = [
        statement
        for statement in template["Resources"][function]["Properties"]["Policies"][0]["Statement"]
        if action in _as_list(statement["Action"])
    ]
    return statement


def _attachment_writes_into_quarantine(template: Template) -> None:
    # It would make S3 events of its own, and could replace an upload it had not checked yet.
    _granting(template, "AttachmentFunction", "s3:PutObject")["Resource"] = {
        "Fn::Sub": "${EvidenceBucket.Arn}/quarantine/*"
    }


def _intake_deletes_evidence(template: Template) -> None:
    _granting(template, "IntakeFunction", "s3:GetObject")["Action"] = ["s3:GetObject", "s3:DeleteObject"]


def _routing_reads_evidence(template: Template) -> None:
    statements = template["Resources"]["RoutingFunction"]["Properties"]["Policies"][0]["Statement"]
    statements.append(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${EvidenceBucket.Arn}/evidence/*"},
        }
    )


@pytest.mark.parametrize(
    ("mutate", "role", "extra"),
    [
        (_attachment_writes_into_quarantine, "AttachmentFunctionRole", ("s3:PutObject", "quarantine/*")),
        (_intake_deletes_evidence, "IntakeFunctionRole", ("s3:DeleteObject", "evidence/*")),
        (_routing_reads_evidence, "RoutingFunctionRole", ("s3:GetObject", "evidence/*")),
    ],
)
def test_evidence_grant_check_catches(
    template: Template, mutate: Any, role: str, extra: tuple[str, str]
) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    grants = s3_grants(translate(broken))
    assert grants != EVIDENCE_GRANTS
    assert extra in grants[role] - EVIDENCE_GRANTS.get(role, set())


def _bucket_arn_sub(template: Template) -> str:
    """The evidence bucket's ARN as the template spells it before the bucket exists."""
    name = template["Resources"]["EvidenceBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    return "arn:${AWS::Partition}:s3:::" + name


def evidence_problems(template: Template) -> list[str]:
    """What would let evidence out or leave it unchecked: public access, ACLs, no encryption, no
    TLS, uploads kept forever, CORS from any origin but the site's, uploads that reach no queue,
    or a queue that anyone but this bucket may send to (empty when it is right)."""
    resources = template["Resources"]
    bucket = resources["EvidenceBucket"]
    properties = bucket["Properties"]
    problems = []
    block = properties.get("PublicAccessBlockConfiguration", {})
    for setting in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"):
        if block.get(setting) is not True:
            problems.append(f"public access not blocked: {setting}")
    if properties.get("OwnershipControls", {}).get("Rules") != [{"ObjectOwnership": "BucketOwnerEnforced"}]:
        problems.append("ACLs not disabled (BucketOwnerEnforced)")
    encryption = properties.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration", [])
    if not any(r.get("ServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in encryption):
        problems.append("not encrypted by default")

    lifecycle = [
        r for r in properties.get("LifecycleConfiguration", {}).get("Rules", []) if r["Status"] == "Enabled"
    ]
    if not any(r.get("Prefix") == QUARANTINE and r.get("ExpirationInDays") == 1 for r in lifecycle):
        problems.append("uploads in quarantine/ do not expire after a day")
    if not any(
        r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") == 1 and "Prefix" not in r
        for r in lifecycle
    ):
        problems.append("incomplete multipart uploads are kept")

    arn, objects = {"Fn::GetAtt": ["EvidenceBucket", "Arn"]}, {"Fn::Sub": "${EvidenceBucket.Arn}/*"}
    statements = [
        statement
        for policy in resources_of_type(template, "AWS::S3::BucketPolicy").values()
        if policy["Properties"]["Bucket"] == {"Ref": "EvidenceBucket"}
        for statement in _as_list(policy["Properties"]["PolicyDocument"]["Statement"])
    ]
    if not any(
        s["Effect"] == "Deny"
        and s.get("Principal") == "*"
        and s.get("Action") == "s3:*"
        and s.get("Resource") == [arn, objects]
        and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    ):
        problems.append("requests without TLS not denied")
    problems += [
        f"the bucket policy allows {s.get('Principal')}" for s in statements if s["Effect"] == "Allow"
    ]

    rules = properties.get("CorsConfiguration", {}).get("CorsRules", [])
    for rule in rules:
        if rule.get("AllowedOrigins") != {"Ref": "AllowedOrigins"}:
            problems.append(f"CORS from {rule.get('AllowedOrigins')}, not the site's own origins")
        if set(rule.get("AllowedMethods", [])) - {"POST", "GET"}:
            problems.append(f"CORS allows {sorted(set(rule['AllowedMethods']) - {'POST', 'GET'})}")
    if not any("POST" in rule.get("AllowedMethods", []) for rule in rules):
        problems.append("no browser may upload (no CORS rule for POST)")

    notified = properties.get("NotificationConfiguration", {}).get("QueueConfigurations", [])
    if notified != [
        {
            "Event": "s3:ObjectCreated:*",
            "Queue": {"Fn::GetAtt": ["AttachmentQueue", "Arn"]},
            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": QUARANTINE}]}},
        }
    ]:
        problems.append("new uploads in quarantine/ (and nothing else) do not all reach AttachmentQueue")

    # S3 checks that it may send to the queue when the bucket is made: the queue's policy first,
    # naming the bucket by the name it will have (a GetAtt of the bucket would be a cycle).
    if "AttachmentQueuePolicy" not in _as_list(bucket.get("DependsOn", [])):
        problems.append("EvidenceBucket does not wait for AttachmentQueuePolicy")
    policy = resources["AttachmentQueuePolicy"]["Properties"]
    if policy["Queues"] != [{"Ref": "AttachmentQueue"}]:
        problems.append(f"the queue policy is on {policy['Queues']}")
    for statement in _as_list(policy["PolicyDocument"]["Statement"]):
        if statement["Effect"] != "Allow":
            continue
        if (
            statement.get("Principal") != {"Service": "s3.amazonaws.com"}
            or statement.get("Action") != "sqs:SendMessage"
        ):
            problems.append(f"the queue policy allows {statement.get('Principal')} {statement.get('Action')}")
        if statement.get("Condition") != {
            "ArnLike": {"aws:SourceArn": {"Fn::Sub": _bucket_arn_sub(template)}},
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
        }:
            problems.append(
                "S3 may send to the queue for a bucket or an account other than the evidence bucket's"
            )
    return problems


def test_evidence_is_private_checked_once_and_only_this_bucket_feeds_the_queue(template: Template) -> None:
    assert evidence_problems(template) == []


def _without(path: str) -> Any:
    """Delete one key of EvidenceBucket's Properties (dots between keys)."""

    def mutate(template: Template) -> None:
        *parents, last = path.split(".")
        target = template["Resources"]["EvidenceBucket"]["Properties"]
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def _policy_statement(template: Template) -> dict[str, Any]:
    statement: dict[str, Any] = template["Resources"]["AttachmentQueuePolicy"]["Properties"][
        "PolicyDocument"
    ]["Statement"][0]
    return statement


def _any_bucket_may_send(template: Template) -> None:
    _policy_statement(template)["Condition"]["ArnLike"]["aws:SourceArn"] = "arn:aws:s3:::*"


def _cors_everywhere(template: Template) -> None:
    template["Resources"]["EvidenceBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0][
        "AllowedOrigins"
    ] = ["*"]


def _uploads_kept(template: Template) -> None:
    rules = template["Resources"]["EvidenceBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    rules[:] = [rule for rule in rules if rule.get("Prefix") != QUARANTINE]


def _notified_everywhere(template: Template) -> None:
    del template["Resources"]["EvidenceBucket"]["Properties"]["NotificationConfiguration"][
        "QueueConfigurations"
    ][0]["Filter"]


def _plain_http(template: Template) -> None:
    del template["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]


def _public_read(template: Template) -> None:
    template["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": "${EvidenceBucket.Arn}/*"},
        }
    )


def _no_wait(template: Template) -> None:
    del template["Resources"]["EvidenceBucket"]["DependsOn"]


def _multipart_kept(template: Template) -> None:
    rules = template["Resources"]["EvidenceBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    rules[:] = [rule for rule in rules if "AbortIncompleteMultipartUpload" not in rule]


def _anyone_may_send(template: Template) -> None:
    _policy_statement(template)["Principal"] = "*"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _without("PublicAccessBlockConfiguration.RestrictPublicBuckets"),
            "public access not blocked: RestrictPublicBuckets",
        ),
        (_without("OwnershipControls"), "ACLs not disabled (BucketOwnerEnforced)"),
        (_without("BucketEncryption"), "not encrypted by default"),
        (_uploads_kept, "uploads in quarantine/ do not expire after a day"),
        (_cors_everywhere, "CORS from ['*'], not the site's own origins"),
        (_without("CorsConfiguration"), "no browser may upload (no CORS rule for POST)"),
        (
            _notified_everywhere,
            "new uploads in quarantine/ (and nothing else) do not all reach AttachmentQueue",
        ),
        (_plain_http, "requests without TLS not denied"),
        (_public_read, "the bucket policy allows *"),
        (
            _any_bucket_may_send,
            "S3 may send to the queue for a bucket or an account other than the evidence bucket's",
        ),
        (_no_wait, "EvidenceBucket does not wait for AttachmentQueuePolicy"),
        (_multipart_kept, "incomplete multipart uploads are kept"),
        (_anyone_may_send, "the queue policy allows * sqs:SendMessage"),
    ],
)
def test_evidence_checker_catches(template: Template, mutate: Any, expected: str) -> None:
    broken = copy.deepcopy(template)
    mutate(broken)
    assert expected in evidence_problems(broken)


_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")  # S3's rules, less the dots we never use


def evidence_bucket_name(template: Template, stack: str, region: str = "ap-southeast-3") -> str:
    """The name CloudFormation gives the evidence bucket in a stack of this name."""
    name: str = template["Resources"]["EvidenceBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    for pseudo, value in {"StackName": stack, "AccountId": "123456789012", "Region": region}.items():
        name = name.replace("${AWS::" + pseudo + "}", value)
    return name


@pytest.mark.parametrize("stack", ["aduan", "aduan-local", "a" * 26])
def test_a_lowercase_stack_name_of_up_to_26_characters_names_a_valid_bucket(
    template: Template, stack: str
) -> None:
    assert _BUCKET_NAME.fullmatch(evidence_bucket_name(template, stack))


@pytest.mark.parametrize("stack", ["Aduan", "a" * 27])
def test_the_bucket_name_check_sees_what_s3_refuses(template: Template, stack: str) -> None:
    assert not _BUCKET_NAME.fullmatch(evidence_bucket_name(template, stack))


def test_the_attachment_function_gets_what_the_code_reads(template: Template) -> None:
    resources = template["Resources"]
    attachment = resources["AttachmentFunction"]["Properties"]
    assert (attachment["CodeUri"], attachment["Handler"]) == ("functions/attachment/", "app.handler")
    assert attachment["Environment"]["Variables"] == {
        "EVIDENCE_BUCKET": {"Ref": "EvidenceBucket"},
        "ATTACHMENT_QUEUE_URL": {"Ref": "AttachmentQueue"},
        "REPORTER_KEY_SECRET_ARN": {"Ref": "ReporterKeySecret"},
    }
    assert attachment["MemorySize"] >= 1024  # a 52 MP PNG (files.MAX_PIXELS) peaks at about 500 MB
    for signer in ("IntakeFunction", "OpsFunction"):
        assert resources[signer]["Properties"]["Environment"]["Variables"]["EVIDENCE_BUCKET"] == {
            "Ref": "EvidenceBucket"
        }


def test_citizens_upload_with_the_access_code_and_operators_behind_the_authorizer(
    translated: Template,
) -> None:
    paths = resources_of_type(translated, "AWS::ApiGatewayV2::Api")["HttpApi"]["Properties"]["Body"]["paths"]

    def served(path: str) -> tuple[str, list[dict[str, Any]]]:
        route = paths[path]["post"]
        return route["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"].split("${")[-1], route["security"]

    assert served("/complaints/{tracking_id}/attachments") == (
        "IntakeFunction.Arn}/invocations",
        [{"NONE": []}],
    )
    assert served("/ops/complaints/{tracking_id}/attachments") == (
        "OpsFunction.Arn}/invocations",
        [{"Operators": []}],
    )


def test_the_pages_may_reach_the_evidence_bucket_and_no_other_host(template: Template) -> None:
    headers = template["Resources"]["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = {name: sources for name, *sources in (d.split() for d in policy.split("; "))}
    bucket = ["https://${EvidenceBucket.RegionalDomainName}", "https://${EvidenceBucket.DomainName}"]
    assert directives.pop("connect-src") == ["'self'", *bucket]  # the upload
    assert directives.pop("img-src") == ["'self'", "data:", *bucket]  # photos and thumbnails
    assert [name for name, sources in directives.items() if any("https:" in s for s in sources)] == []
