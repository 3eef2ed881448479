"""Answers with the event it received, so a test can see what API Gateway would have sent."""

import json


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-request-id": context.aws_request_id},
        "cookies": ["seen=1"],
        "body": json.dumps({"event": event, "remaining_ms": context.get_remaining_time_in_millis()}),
    }
