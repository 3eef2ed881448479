"""Print the template of the edge stack: template.yaml's edge resources, alone, for us-east-1.

A web ACL of scope CLOUDFRONT can only be created in us-east-1, and CloudFront delivers no standard
logs to a bucket in an opt-in region such as Jakarta, where Aduan's stack runs. So
`make deploy-edge` deploys this template in us-east-1 (`EdgeWebAcl` and `EdgeLogBucket`), and the
main stack takes their ARN and domain (`EdgeWebAclArn`, `EdgeLogBucketDomain`). The resources are
read from template.yaml, so they live in one place; the output is JSON (CloudFormation takes it,
and it needs no short tags).

    python infra/build/edge_template.py [template.yaml] > edge.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aduan_local.template import TEMPLATE, load_template

WEB_ACL = "EdgeWebAcl"
LOG_BUCKET = "EdgeLogBucket"


def _references(value: Any) -> set[str]:
    """The names a value refers to with Ref (parameters, here)."""
    if isinstance(value, dict):
        found = {value["Ref"]} if isinstance(value.get("Ref"), str) else set()
        for item in value.values():
            found |= _references(item)
        return found
    if isinstance(value, list):
        return set().union(*(_references(item) for item in value)) if value else set()
    return set()


def edge_template(template: dict[str, Any]) -> dict[str, Any]:
    """The web ACL and the log bucket with the parameters they use, without their condition, and
    the ARN and domain the main stack needs as outputs."""
    resources = {
        name: {key: value for key, value in template["Resources"][name].items() if key != "Condition"}
        for name in (WEB_ACL, LOG_BUCKET)
    }
    parameters = {
        name: spec for name, spec in template.get("Parameters", {}).items() if name in _references(resources)
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": (
            "Aduan edge: the CLOUDFRONT web ACL and log bucket of a stack in another region (docs/deploy.md)."
        ),
        "Parameters": parameters,
        "Resources": resources,
        "Outputs": {
            "WebAclArn": {
                "Description": "Pass as EdgeWebAclArn to the Aduan stack.",
                "Value": {"Fn::GetAtt": [WEB_ACL, "Arn"]},
            },
            "LogBucketDomain": {
                "Description": "Pass as EdgeLogBucketDomain to the Aduan stack.",
                "Value": {"Fn::GetAtt": [LOG_BUCKET, "DomainName"]},
            },
        },
    }


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    print(json.dumps(edge_template(load_template(path)), indent=2))


if __name__ == "__main__":
    main()
