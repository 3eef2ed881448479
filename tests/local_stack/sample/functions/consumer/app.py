"""Records every record it receives; reports the ones whose body says "fail" as failures."""

import os

import boto3

table = os.environ["RECORDS_TABLE"]
dynamodb = boto3.client("dynamodb")


def handler(event, context):
    failures = []
    for record in event["Records"]:
        count = record["attributes"]["ApproximateReceiveCount"]
        dynamodb.put_item(
            TableName=table,
            Item={
                "pk": {"S": record["body"]},
                "sk": {"S": f"{count}#{record['messageId']}"},
                "batch": {"N": str(len(event["Records"]))},
                "source": {"S": record["eventSourceARN"]},
            },
        )
        if "fail" in record["body"]:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
