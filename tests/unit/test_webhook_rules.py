"""An agency's webhook can point only at a public https host, and is signed with that agency's own
key: data cannot turn a webhook into a request into the VPC or to the metadata endpoint, and one
agency cannot forge what another receives."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aduan.domain.errors import InvalidReferenceData
from aduan.domain.reference import ReferenceData
from aduan.domain.webhooks import (
    AddressPolicy,
    address_problem,
    agency_key,
    host_problem,
    url_problem,
    webhook_signature,
)
from tests.factories import seed

DISDUKCAPIL = "kab-tangerang.disdukcapil"

REFUSED_URLS = [
    "http://hooks.disdukcapil.go.id/aduan",  # not https
    "https://user:pass@hooks.disdukcapil.go.id/aduan",  # userinfo
    "https://hooks.disdukcapil.go.id@169.254.169.254/latest/meta-data/",
    "https://hooks.disdukcapil.go.id:22/aduan",  # a port that is not for webhooks
    "https://127.0.0.1/aduan",
    "https://[::1]/aduan",
    "https://[::ffff:127.0.0.1]/aduan",
    "https://0.0.0.0/aduan",
    "https://10.0.0.8/aduan",
    "https://172.16.0.1/aduan",
    "https://192.168.1.1/aduan",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00::1]/aduan",
    "https://100.64.0.1/aduan",
    "https://8.8.8.8/aduan",  # a public address is still no host name: TLS is checked on names
    "https://2130706433/aduan",  # 127.0.0.1 in decimal
    "https://0177.0.0.1/aduan",  # in octal
    "https://0x7f.0.0.1/aduan",
    "https://127.1/aduan",
    "https://1.0x7f/aduan",  # inet_aton reads it as 1.0.0.127
    "https://localhost/aduan",
    "https://hooks.localhost/aduan",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://instance-data.ec2.internal/latest/meta-data/",
    "https://metadata/aduan",  # one label: a search domain would complete it
    "https://printer.local/aduan",
    "https:///aduan",
    "https://hooks..go.id/aduan",
    "https://hooks.disdukcapil.go.id:99999/aduan",
    "not a url",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_a_webhook_url_that_could_reach_inside_is_refused(url: str) -> None:
    assert url_problem(url) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.disdukcapil.tangerangkab.go.id/aduan",
        "https://hooks.disdukcapil.go.id:8443/aduan?source=aduan",
        "https://xn--bcher-kva.example.id/hook",  # an internationalised name, as punycode
        "https://HOOKS.Disdukcapil.GO.ID./aduan",  # case and the root's dot do not matter
    ],
)
def test_a_public_https_host_is_a_webhook_url(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "fd00::1",
        "fe80::1",
        "100.64.0.1",
        "224.0.0.251",
        "ff02::1",
        "::",
        "::127.0.0.1",  # IPv4-compatible: ipaddress calls it global
        "2002:7f00:1::",  # 6to4 of 127.0.0.1: ipaddress calls it global
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254: ipaddress calls it global
        "fec0::1",  # site-local
        "fe80::1%eth0",
        "255.255.255.255",
        "198.18.0.1",
    ],
)
def test_a_resolved_address_that_is_not_public_is_refused(address: str) -> None:
    assert address_problem(address) is not None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "36.86.63.182", "2606:4700:4700::1111", "2404:6800:4003::200e"]
)
def test_a_public_address_may_be_connected_to(address: str) -> None:
    assert address_problem(address) is None


PRIVATE_NETWORKS = [
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
]


@given(st.sampled_from(PRIVATE_NETWORKS), st.integers(min_value=0))
def test_every_address_of_a_private_range_and_its_ipv6_spellings_is_refused(
    network: ipaddress.IPv4Network | ipaddress.IPv6Network, offset: int
) -> None:
    address = network[offset % network.num_addresses]
    assert address_problem(str(address)) is not None
    if address.version == 4:
        as_number = int(address)
        for spelling in (f"::ffff:{address}", f"2002:{as_number >> 16:x}:{as_number & 0xFFFF:x}::"):
            assert address_problem(spelling) is not None, spelling
        assert address_problem(f"64:ff9b::{as_number >> 16:x}:{as_number & 0xFFFF:x}") is not None


@given(
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from(["{n}", "{o}", "{h}", "{a}.{b}", "{a}.{c}"]),
)
def test_no_spelling_of_an_ipv4_address_passes_for_a_host_name(number: int, form: str) -> None:
    a, rest = number >> 24, number & 0xFFFFFF
    host = form.format(n=number, o=f"0{number:o}", h=f"0x{number:x}", a=a, b=rest, c=f"0x{rest:x}")
    assert host_problem(host) is not None
    assert url_problem(f"https://{host}/aduan") is not None


@given(
    st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True), min_size=0, max_size=3),
    st.sampled_from(["internal", "localhost", "local", "localdomain", "home.arpa"]),
)
def test_any_name_under_an_internal_suffix_is_refused(labels: list[str], suffix: str) -> None:
    host = ".".join([*labels, suffix])
    assert url_problem(f"https://{host}/aduan") is not None


def test_only_a_test_policy_lets_a_webhook_reach_a_receiver_on_loopback() -> None:
    loopback = AddressPolicy(private_allowed=True)
    assert url_problem("https://localhost:8765/hooks", loopback) is None
    assert address_problem("127.0.0.1", loopback) is None
    assert url_problem("http://localhost:8765/hooks", loopback) is not None, "https, even in tests"


def test_reference_data_with_an_inward_webhook_is_refused_naming_the_agency_and_field() -> None:
    reference = seed()
    agencies = [
        agency.model_copy(update={"webhook_url": "https://169.254.169.254/latest/meta-data/"})
        if agency.id == DISDUKCAPIL
        else agency
        for agency in reference.agencies
    ]
    with pytest.raises(InvalidReferenceData) as refused:
        ReferenceData(
            agencies=tuple(agencies),
            categories=reference.categories,
            rules=reference.rules,
            regions=reference.regions,
        )
    assert refused.value.problems == [
        f"agency {DISDUKCAPIL}: webhook_url must name a host, not an IP address"
    ]


# Written out, not computed by the code under test (openssl dgst -sha256 -hmac gave the same), so
# a change to how keys are derived or bodies signed breaks every agency's receiver, and this test.
MASTER = "master-webhook-secret"
BODY = '{"event":"new_assignment","tracking_id":"K7MX4-RPA2Q"}'
TIMESTAMP = 1773630000


def test_a_webhook_signature_matches_the_vector_a_receiver_is_given() -> None:
    assert webhook_signature("whsec-literal-key", TIMESTAMP, BODY) == (
        "f33d2418d577296ebacde878be4823792d8559aaefd9b57d777e0b9196e438db"
    )


def test_each_agency_has_its_own_key_and_a_new_version_is_a_new_key() -> None:
    key = agency_key(MASTER, DISDUKCAPIL, 2)
    assert key == "7e9f7a593446eb27bcb68d4ce58d6f91ce85453fd7a134ad1bdf44084b6d6d79"
    assert webhook_signature(key, TIMESTAMP, BODY) == (
        "6f95b33984cdb293d0bbf5e62eafafec463579705944fdaf34cdf791ad07f2a9"
    )
    others = {agency_key(MASTER, "kab-tangerang.dinkes", 2), agency_key(MASTER, DISDUKCAPIL, 1)}
    assert key not in others
    assert len(others) == 2
    assert MASTER not in key
