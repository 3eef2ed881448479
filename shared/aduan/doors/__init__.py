"""What every handler shares: composition, settings, observability, HTTP and SQS formats."""
