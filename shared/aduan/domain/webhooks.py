"""Agencies' webhooks: where one may point, and how each agency's events are signed.

An address is checked twice. When reference data is loaded (`url_problem`): https, no user or
password, a DNS name (never an IP literal, in any spelling: `2130706433` and `0177.0.0.1` are
loopback to a resolver), not a name that only an internal resolver answers (`localhost`,
`*.internal`, `metadata.google.internal`), port 443 or 8443. When a webhook is sent
(`address_problem`, by `aduan.aws.channels.Webhook`): every address the name resolves to must be
public, and the connection goes to the address that was checked. Together they keep data from
turning a webhook into a request into the VPC or to the instance metadata endpoint.

Each agency's events are signed with its own key, derived from the stack's master secret and the
agency's `webhook_key_version` (`agency_key`): one agency cannot forge what another receives, and
one agency's key is rotated by raising its version. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOWED_PORTS = frozenset({443, 8443})
# Names only an internal resolver answers, or that mean this machine; refused with every subdomain.
INTERNAL_SUFFIXES = (
    "localhost",
    "localdomain",
    "internal",  # metadata.google.internal, ec2.internal, ...
    "local",
    "lan",
    "home",
    "corp",
    "intranet",
    "home.arpa",
    "arpa",
    "invalid",
    "onion",
)
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_TOP_LABEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")  # what a real TLD looks like
_GLOBAL_UNICAST = ipaddress.ip_network("2000::/3")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class AddressPolicy:
    """Where a webhook may connect. Production uses the default; only tests build one with
    `private_allowed` (a receiver on loopback, any port), and no setting of the template can."""

    private_allowed: bool = False


PUBLIC_ONLY = AddressPolicy()


def url_problem(url: str, policy: AddressPolicy = PUBLIC_ONLY) -> str | None:
    """Why `url` may not be an agency's webhook (a short phrase), or None when it may."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "is not a URL"
    if parts.scheme != "https":
        return "must be https"
    if "@" in parts.netloc:
        return "must not carry a user name or password"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "has no host name"
    if policy.private_allowed:
        return None
    if port is not None and port not in ALLOWED_PORTS:
        return f"port must be one of {', '.join(map(str, sorted(ALLOWED_PORTS)))}"
    return host_problem(host)


def host_problem(host: str) -> str | None:
    """Why `host` is not a public DNS name: an IP literal in any spelling, not a DNS name, a single
    label (a search domain would complete it), or a name only an internal resolver answers."""
    name = host.lower().rstrip(".")
    if _ip_literal(name):
        return "must name a host, not an IP address"
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return "is not a valid host name"
    if len(labels) < 2 or not _TOP_LABEL.match(labels[-1]):
        # A numeric or hex last label (`127.1`, `1.0x7f`) is an address to inet_aton, not a name.
        return "must be a public host name"
    if any(name == suffix or name.endswith("." + suffix) for suffix in INTERNAL_SUFFIXES):
        return "names an internal host"
    return None


def _ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def address_problem(address: str, policy: AddressPolicy = PUBLIC_ONLY) -> str | None:
    """Why a resolved address may not be connected to (None when it is public): loopback,
    private, link-local (169.254.169.254), CGNAT, reserved, multicast, or an IPv6 form of one."""
    if policy.private_allowed:
        return None
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an address"
    return None if is_public(ip) else f"{ip} is not a public address"


def is_public(ip: IpAddress) -> bool:
    """A globally routable unicast address; an IPv6 address that carries an IPv4 one (mapped,
    6to4, NAT64) is judged by the IPv4 address it reaches."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
        if ip not in _GLOBAL_UNICAST:  # ::/96 (IPv4-compatible), fec0::/10 and the rest: not public
            return False
    return ip.is_global and not ip.is_multicast


def agency_key(master_secret: str, agency_id: str, version: int) -> str:
    """The key an agency checks its webhooks with (what `aduan-admin webhook-key` prints)."""
    label = f"webhook:{agency_id}:{version}".encode()
    return hmac.new(master_secret.encode(), label, hashlib.sha256).hexdigest()


def webhook_signature(key: str, timestamp: int, body: str) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`: the receiver recomputes it and rejects old timestamps."""
    return hmac.new(key.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
