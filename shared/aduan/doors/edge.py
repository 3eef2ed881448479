"""What the edge (CloudFront, with AWS WAF) tells the API about a request, and the check that a
request came through it.

The HTTP API's own execute-api address is public, and AWS WAF cannot be attached to an HTTP API,
so a client that called it directly would pass around WAF's rate limits. CloudFront therefore adds
a secret header to every request it passes to the API (an origin custom header whose value is the
`OriginVerifySecret`), and every API function refuses, with 403, a request without it. The
CloudFront function `ApiViewerRequest` adds two more, over anything a client sent: the client's
own address (API Gateway sees CloudFront's) and the host the client called (the SMS gateway signs
that URL). docs/deploy.md says how it is deployed; the local gateway adds the same headers.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from aduan.domain.api_texts import language_of
from aduan.doors.http_api import error_body, json_response, unavailable

ORIGIN_HEADER = "x-origin-verify"
CLIENT_ADDRESS_HEADER = "x-client-address"
PUBLIC_HOST_HEADER = "x-forwarded-host"


def refused(event: dict[str, Any], secret: Callable[[], str]) -> dict[str, Any] | None:
    """A 403 for a request that did not come through the edge, None for one that did (a 503 when
    the secret cannot be read just now: the request may well be good)."""
    from botocore.exceptions import BotoCoreError, ClientError

    headers = event.get("headers") or {}
    language = language_of(None, headers.get("accept-language"))
    try:
        expected = secret()
    except (ClientError, BotoCoreError) as error:
        return unavailable(error, language)
    given = str(headers.get(ORIGIN_HEADER, ""))
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        return None
    return json_response(403, error_body("forbidden", language))


def client_address(event: dict[str, Any]) -> str:
    """The address of the client that sent the request: the edge's word for it, else the address
    API Gateway saw (only the edge reaches the API, and it overwrites what a client sends)."""
    headers = event.get("headers") or {}
    source = event.get("requestContext", {}).get("http", {}).get("sourceIp", "")
    return str(headers.get(CLIENT_ADDRESS_HEADER) or source)


def public_host(event: dict[str, Any]) -> str:
    """The host the client called (CloudFront's, not API Gateway's own)."""
    headers = event.get("headers") or {}
    return str(headers.get(PUBLIC_HOST_HEADER) or event.get("requestContext", {}).get("domainName", ""))
