"""`aduan-admin webhook-key` gives an agency the key its webhooks are signed with: derived from the
stack's master secret (moto's Secrets Manager here), the agency's own, at its key version."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from aduan.domain.webhooks import agency_key
from aduan_admin.cli import main as admin
from tests.conftest import REGION

pytestmark = pytest.mark.integration

DISDUKCAPIL = "kab-tangerang.disdukcapil"
MASTER = "master-webhook-secret"


@pytest.mark.filterwarnings("ignore:Tried to parse AWS")  # moto does not emulate the handle
def test_an_agency_is_given_its_own_key_from_the_stacks_master_secret(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = boto3.client("secretsmanager", endpoint_url=moto_endpoint, region_name=REGION)
    arn = secrets.create_secret(Name=f"webhook-{uuid.uuid4().hex[:6]}", SecretString=MASTER)["ARN"]
    cloudformation = boto3.client("cloudformation", endpoint_url=moto_endpoint, region_name=REGION)
    stack = f"aduan-test-{uuid.uuid4().hex[:6]}"
    template: dict[str, Any] = {  # moto's CloudFormation makes no secrets: the output names moto's
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"WebhookSecretArn": {"Value": arn}},
    }
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    where = ["--endpoint-url", moto_endpoint, "--region", REGION]

    admin(["webhook-key", "--agency", DISDUKCAPIL, "--stack", stack, *where])
    admin(["webhook-key", "--agency", DISDUKCAPIL, "--stack", stack, "--version", "2", *where])
    admin(["webhook-key", "--agency", "kab-tangerang.dinkes", "--stack", stack, *where])

    first, rotated, other = capsys.readouterr().out.split()
    assert first == agency_key(MASTER, DISDUKCAPIL, 1)  # the seed's webhook_key_version
    # Written out (openssl dgst -sha256 -hmac): what the agency's receiver is configured with.
    assert rotated == "7e9f7a593446eb27bcb68d4ce58d6f91ce85453fd7a134ad1bdf44084b6d6d79"
    assert len({first, rotated, other}) == 3
    assert MASTER not in first


def test_an_unknown_agency_gets_no_key(moto_endpoint: str) -> None:
    with pytest.raises(SystemExit, match="no agency nobody"):
        admin(["webhook-key", "--agency", "nobody", "--secret-id", "unused", "--endpoint-url", moto_endpoint])
