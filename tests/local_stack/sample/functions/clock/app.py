"""Answers with the time of the scheduled event it was given."""


def handler(event, context):
    return {"time": event["time"], "source": event["source"], "detail_type": event["detail-type"]}
