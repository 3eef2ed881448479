"""Sends the request body to the work queue (the queue's URL comes from the template)."""

import os

import boto3

sqs = boto3.client("sqs")
QUEUE_URL = os.environ["QUEUE_URL"]


def handler(event, context):
    sent = sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=event["body"])
    return {"message_id": sent["MessageId"]}
