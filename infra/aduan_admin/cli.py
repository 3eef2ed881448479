"""aduan-admin: operators' commands over the reference data.

  aduan-admin seed --stack aduan-prod            # the table from the stack's TableName output
  aduan-admin seed --table aduan-local-ComplaintsTable --endpoint-url http://127.0.0.1:5000
  aduan-admin check                              # validate infra/seed without touching AWS
  aduan-admin route "e-KTP saya di Cikupa belum jadi"   # try the routing decision on a text
  aduan-admin webhook-key --agency kab-tangerang.disdukcapil --stack aduan-prod   # its signing key
  aduan-admin user add --stack aduan-prod --username op.dinkes --role operator --agency kab-tangerang.dinkes
  aduan-admin user reset-mfa --stack aduan-prod --username coord.kab-tangerang   # a lost phone

`seed` is idempotent: it rewrites the same items and removes reference items the files no longer
have (`--keep-stale` keeps them). The local stack seeds through `seed_table`, the same function.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aduan.domain.errors import InvalidReferenceData
from aduan.domain.reference import ReferenceData, load_seed

if TYPE_CHECKING:
    from aduan.aws.reference_store import SeedReport

# The repo's infra/seed, next to shared/ (an editable install); pass --seed-dir otherwise.
DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "infra" / "seed"


def seed_table(
    client: Any, table_name: str, seed_dir: Path = DEFAULT_SEED_DIR, *, prune: bool = True
) -> SeedReport:
    """Check the seed files in `seed_dir` and write them to `table_name` (idempotent)."""
    from aduan.aws.reference_store import DynamoReferenceStore

    return DynamoReferenceStore(client, table_name).put_all(load_seed(seed_dir), prune=prune)


def table_of_stack(cloudformation: Any, stack_name: str) -> str:
    """The physical table name from a deployed stack's `TableName` output."""
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    for output in stack.get("Outputs", []):
        if output["OutputKey"] == "TableName":
            return str(output["OutputValue"])
    raise SystemExit(f"stack {stack_name} has no TableName output")


def _clients(args: argparse.Namespace) -> tuple[Any, Any]:
    """DynamoDB and CloudFormation clients (boto3 only now: `check` and `route` never need it)."""
    import boto3

    return (
        boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url),
        boto3.client("cloudformation", region_name=args.region, endpoint_url=args.endpoint_url),
    )


def _summary(reference: ReferenceData) -> str:
    return (
        f"{len(reference.agencies)} agencies, {len(reference.categories)} categories, "
        f"{len(reference.rules)} rules, {len(reference.regions)} regions, "
        f"{sum(len(entry.keywords) for entry in reference.keywords)} keywords"
    )


def _seed(args: argparse.Namespace) -> None:
    dynamodb, cloudformation = _clients(args)
    table = args.table or table_of_stack(cloudformation, args.stack)
    report = seed_table(dynamodb, table, args.seed_dir, prune=not args.keep_stale)
    written = ", ".join(f"{kind.removeprefix('REF#').lower()} {n}" for kind, n in report.written.items())
    print(f"seeded {table}: {written} (stale removed: {sum(report.removed.values())})")


def _check(args: argparse.Namespace) -> None:
    print(f"{args.seed_dir}: {_summary(load_seed(args.seed_dir))}: consistent")


def _route(args: argparse.Namespace) -> None:
    from aduan.domain.routing_decision import decide

    decision = decide(
        args.title,
        " ".join(args.text),
        args.address,
        args.category,
        args.region_code,
        load_seed(args.seed_dir),
    )

    def plain(value: Any) -> Any:  # the rule is a pydantic model, which asdict leaves alone
        return value.model_dump() if hasattr(value, "model_dump") else str(value)

    print(json.dumps(dataclasses.asdict(decision), ensure_ascii=False, indent=2, default=plain))


def add_user(
    cognito: Any,
    user_pool_id: str,
    username: str,
    *,
    role: str,
    agency_id: str,
    email: str | None = None,
    password: str | None = None,
    permanent: bool = True,
) -> None:
    """Create an operator, coordinator or national administrator in its role's group and its
    agency's (`agency-<agency_id>`, made on first use). Without a password Cognito emails a temporary
    one; with one it is set as permanent (the local stack's demo users) or, `permanent=False`, as a
    temporary one the user replaces at first sign-in."""
    from aduan.accounts import ROLE_GROUPS, agency_group

    if role not in ROLE_GROUPS:
        raise ValueError("role must be operator, coordinator or national")
    attributes = []
    if email:
        attributes += [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    request: dict[str, Any] = {"UserPoolId": user_pool_id, "Username": username, "UserAttributes": attributes}
    if password:
        request["MessageAction"] = "SUPPRESS"
    cognito.admin_create_user(**request)
    if password:
        cognito.admin_set_user_password(
            UserPoolId=user_pool_id, Username=username, Password=password, Permanent=permanent
        )
    group = agency_group(agency_id)
    with contextlib.suppress(cognito.exceptions.GroupExistsException):
        cognito.create_group(UserPoolId=user_pool_id, GroupName=group, Description=f"Agency {agency_id}")
    for name in (role, group):
        cognito.admin_add_user_to_group(UserPoolId=user_pool_id, Username=username, GroupName=name)


def reset_mfa(cognito: Any, user_pool_id: str, username: str) -> None:
    """Turn a user's TOTP off (a lost phone): a coordinator or national administrator enrols again at
    the next sign-in, an operator signs in with the password alone."""
    cognito.admin_set_user_mfa_preference(
        UserPoolId=user_pool_id,
        Username=username,
        SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
    )


def _user_pool(args: argparse.Namespace) -> tuple[Any, str]:
    """The cognito-idp client and the stack's UserPoolId output."""
    import boto3

    kwargs = {"region_name": args.region, "endpoint_url": args.endpoint_url}
    outputs = boto3.client("cloudformation", **kwargs).describe_stacks(StackName=args.stack)["Stacks"][0]
    pool = {output["OutputKey"]: output["OutputValue"] for output in outputs.get("Outputs", [])}["UserPoolId"]
    return boto3.client("cognito-idp", **kwargs), pool


def webhook_key(secretsmanager: Any, secret_id: str, agency_id: str, version: int) -> str:
    """The key an agency checks its webhooks' signatures with, at `version` (its
    `webhook_key_version`): derived from the stack's master secret, never stored."""
    from aduan.domain.webhooks import agency_key

    master = secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"]
    return agency_key(master, agency_id, version)


def _webhook_key(args: argparse.Namespace) -> None:
    import boto3

    kwargs = {"region_name": args.region, "endpoint_url": args.endpoint_url}
    agency = load_seed(args.seed_dir).agency(args.agency)
    if agency is None:
        raise SystemExit(f"no agency {args.agency} in {args.seed_dir}")
    version = args.version or agency.webhook_key_version
    secret_id = args.secret_id
    if args.stack:
        (stack,) = boto3.client("cloudformation", **kwargs).describe_stacks(StackName=args.stack)["Stacks"]
        outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
        secret_id = outputs["WebhookSecretArn"]
    key = webhook_key(boto3.client("secretsmanager", **kwargs), secret_id, args.agency, version)
    sys.stderr.write(f"webhook key of {args.agency}, version {version} (X-Aduan-Key-Version):\n")
    print(key)


def _user_add(args: argparse.Namespace) -> None:
    cognito, pool = _user_pool(args)
    add_user(cognito, pool, args.username, role=args.role, agency_id=args.agency, email=args.email)
    print(f"created {args.username} ({args.role}, {args.agency}); Cognito emails a temporary password")
    if args.role in ("coordinator", "national"):
        print(
            "two-step sign-in is required of this role: at the first sign-in the console asks for "
            "a new password, then sets up an authenticator app (TOTP)"
        )


def _user_reset_mfa(args: argparse.Namespace) -> None:
    cognito, pool = _user_pool(args)
    reset_mfa(cognito, pool, args.username)
    print(f"two-step sign-in of {args.username} is off; if its role needs it, it enrols at the next sign-in")


def redrive(sqs: Any, dead_letter_url: str, source_url: str, limit: int | None = None) -> int:
    """Move messages from a dead-letter queue back to its source queue, once their cause is fixed.

    Each message is sent to the source before it is deleted from the DLQ: a crash in between
    leaves a copy in both, never none (the consumers are idempotent)."""
    moved = 0
    while limit is None or moved < limit:
        batch = sqs.receive_message(
            QueueUrl=dead_letter_url,
            MaxNumberOfMessages=10 if limit is None else min(10, limit - moved),
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            break
        for message in batch:
            request: dict[str, Any] = {"QueueUrl": source_url, "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                request["MessageAttributes"] = message["MessageAttributes"]
            sqs.send_message(**request)
            sqs.delete_message(QueueUrl=dead_letter_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
    return moved


def _redrive(args: argparse.Namespace) -> None:
    import boto3

    kwargs = {"region_name": args.region, "endpoint_url": args.endpoint_url}
    sqs = boto3.client("sqs", **kwargs)
    if args.stack:
        outputs = boto3.client("cloudformation", **kwargs).describe_stacks(StackName=args.stack)["Stacks"][0]
        urls = {output["OutputKey"]: output["OutputValue"] for output in outputs.get("Outputs", [])}
        source = urls[f"{args.queue}QueueUrl"]
    else:
        source = args.queue_url
    arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"]
    dead_letter_arn = json.loads(arn["RedrivePolicy"])["deadLetterTargetArn"]
    dead_letter_url = sqs.get_queue_url(QueueName=dead_letter_arn.rsplit(":", 1)[-1])["QueueUrl"]
    moved = redrive(sqs, dead_letter_url, source, args.limit)
    print(f"moved {moved} message(s) from {dead_letter_url} back to {source}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `aduan-admin` console script."""
    parser = argparse.ArgumentParser(
        prog="aduan-admin", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser("seed", help="load infra/seed into the table (idempotent)")
    where = seed.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="deployed stack whose TableName output names the table")
    where.add_argument("--table", help="table name")
    seed.add_argument("--region", help="AWS region (default: the environment's)")
    seed.add_argument("--endpoint-url", help="an AWS emulator, e.g. the local stack's moto server")
    seed.add_argument("--keep-stale", action="store_true", help="keep reference items the seed lacks")
    seed.set_defaults(run=_seed)

    check = commands.add_parser("check", help="validate the seed files")
    check.set_defaults(run=_check)

    route = commands.add_parser("route", help="show the routing decision for a text")
    route.add_argument("text", nargs="+", help="the complaint's description")
    route.add_argument("--title", default="")
    route.add_argument("--address")
    route.add_argument("--category")
    route.add_argument("--region-code")
    route.set_defaults(run=_route)

    move = commands.add_parser("redrive", help="move a queue's dead letters back to it")
    move.add_argument(
        "queue", nargs="?", help="Routing, Notification, Escalation or Attachment (with --stack)"
    )
    where = move.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="deployed stack whose <Queue>QueueUrl output names the queue")
    where.add_argument("--queue-url", help="the source queue's URL")
    move.add_argument("--limit", type=int, help="move at most this many")
    move.add_argument("--region", help="AWS region (default: the environment's)")
    move.add_argument("--endpoint-url", help="an AWS emulator, e.g. the local stack's moto server")
    move.set_defaults(run=_redrive)

    user = commands.add_parser("user", help="operators' accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    add = user_commands.add_parser("add", help="create an operator, coordinator or national administrator")
    add.add_argument("--stack", required=True, help="deployed stack whose UserPoolId output names the pool")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=["operator", "coordinator", "national"])
    add.add_argument("--agency", required=True, help="the agency ID, e.g. kab-tangerang.disdukcapil")
    add.add_argument("--email", help="where Cognito sends the temporary password")
    add.set_defaults(run=_user_add)
    reset = user_commands.add_parser("reset-mfa", help="turn a user's two-step sign-in off (a lost phone)")
    reset.add_argument("--stack", required=True, help="deployed stack whose UserPoolId output names the pool")
    reset.add_argument("--username", required=True)
    reset.set_defaults(run=_user_reset_mfa)
    for command in (add, reset):
        command.add_argument("--region", help="AWS region (default: the environment's)")
        command.add_argument("--endpoint-url", help="an AWS emulator")

    hook = commands.add_parser("webhook-key", help="print the key an agency checks its webhooks with")
    hook.add_argument("--agency", required=True, help="the agency ID, e.g. kab-tangerang.disdukcapil")
    where = hook.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="deployed stack whose WebhookSecretArn output names the master key")
    where.add_argument("--secret-id", help="the master key's secret (ARN or name)")
    hook.add_argument("--version", type=int, help="default: the agency's webhook_key_version in the seed")
    hook.add_argument("--region", help="AWS region (default: the environment's)")
    hook.add_argument("--endpoint-url", help="an AWS emulator")
    hook.set_defaults(run=_webhook_key)

    for command in (seed, check, route, hook):
        command.add_argument("--seed-dir", type=Path, default=DEFAULT_SEED_DIR, help="default: %(default)s")

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except InvalidReferenceData as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from error


if __name__ == "__main__":
    main()
