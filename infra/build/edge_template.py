"""Print the template of the edge stack: template.yaml's `EdgeWebAcl`, alone, for us-east-1.

A web ACL of scope CLOUDFRONT can only be created in us-east-1, and Aduan's stack runs in Jakarta.
So `make deploy-edge` deploys this template in us-east-1 and the main stack takes its ARN
(`EdgeWebAclArn`). The rules are read from template.yaml, so they live in one place; the output is
JSON (CloudFormation takes it, and it needs no short tags).

    python infra/build/edge_template.py [template.yaml] > edge.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from aduan_local.template import TEMPLATE, load_template

WEB_ACL = "EdgeWebAcl"


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
    """The web ACL with the parameters it uses, without its condition, and its ARN as an output."""
    web_acl = {key: value for key, value in template["Resources"][WEB_ACL].items() if key != "Condition"}
    parameters = {
        name: spec for name, spec in template.get("Parameters", {}).items() if name in _references(web_acl)
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Aduan edge: the CLOUDFRONT web ACL of a stack in another region (docs/deploy.md).",
        "Parameters": parameters,
        "Resources": {WEB_ACL: web_acl},
        "Outputs": {
            "WebAclArn": {
                "Description": "Pass as EdgeWebAclArn to the Aduan stack.",
                "Value": {"Fn::GetAtt": [WEB_ACL, "Arn"]},
            }
        },
    }


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    print(json.dumps(edge_template(load_template(path)), indent=2))


if __name__ == "__main__":
    main()
