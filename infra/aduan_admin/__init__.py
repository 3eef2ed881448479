"""aduan-admin: the operators' command line (seed, check, route, users, redrive); not in the Lambda layer."""
