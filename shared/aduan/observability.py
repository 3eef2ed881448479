"""Logging and metrics, shared by every function (Powertools: JSON logs, EMF metrics).

Log lines carry tracking IDs and codes, never a reporter's name, phone number or email.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="aduan")
metrics = Metrics(namespace="Aduan", service="aduan")
