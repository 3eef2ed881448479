"""Aduan: complaints about public services, handled on time.

Domain modules (models, tracking, workdays, deadlines, lifecycle) do no I/O and import no boto3;
adapters under `aduan.aws` are the only code that speaks to AWS.
"""
