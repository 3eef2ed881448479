"""Reads a variable its template never gives it: must fail loudly, as it would in AWS."""

import os

SETTING = os.environ["NOT_IN_TEMPLATE"]


def handler(event, context):
    return {"setting": SETTING}
