"""Intake: the public HTTP API where citizens file and track complaints."""

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
app = APIGatewayHttpResolver()


@app.get("/health")
def health() -> dict[str, str]:
    """Tell the load balancer or the smoke test that the function answers."""
    return {"status": "ok"}


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Resolve an API Gateway HTTP API (payload 2.0) event to its route."""
    return app.resolve(event, context)
