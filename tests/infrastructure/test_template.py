"""template.yaml holds what we promise about the deployed system: least privilege, no Scan,
every queue drained into a watched DLQ, and a build that needs neither Docker nor python3.13.

The checks run on the template as the SAM translator expands it, offline, so that a policy
template such as DynamoDBCrudPolicy is judged by the statements it really grants. Each checker
is shown to catch a broken copy of the template, so a green run means something.
"""

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_all, lint_file
from samtranslator.translator.transform import transform

from aduan_local.template import load_template, resources_of_type

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
BUILD_MAKEFILE = ROOT / "infra" / "build" / "Makefile"
ROUTES = {
    ("GET", "/health"),
    ("POST", "/complaints"),
    ("GET", "/complaints/{tracking_id}"),
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


def policy_problems(template: Template) -> list[str]:
    """What in a translated template grants more than a named action on a named resource."""
    problems = []
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
            if resource == "*" or resource.endswith((":*", "/*")):
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


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_grant_wildcard_action, "wildcard action dynamodb:*"),
        (_grant_wildcard_resource, "wildcard resource *"),
        (_grant_scan, "dynamodb:Scan"),
        (_add_crud_policy_template, "dynamodb:Scan"),
        (_add_full_access, "managed policy arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"),
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


def test_outputs_give_the_api_url_table_and_queue(template: Template) -> None:
    assert set(template["Outputs"]) >= {"ApiUrl", "TableName", "RoutingQueueUrl"}


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

PUBLIC_REQUESTS = {"reports": ("POST", "/complaints"), "SMS webhook": ("POST", "/sms/inbound")}


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
