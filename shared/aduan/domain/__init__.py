"""The domain: pure rules and models. No boto3, no Powertools, no I/O beyond reading shipped data."""
