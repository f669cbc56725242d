"""Issue #24: writing the same author or text differently must not slip past the limits."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
import redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.intake.admission import AbuseGuard
from domain.intake.identity import canonical_email, canonical_ip
from domain.records import Site, Submission, utcnow

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=12)
DOMAIN = st.sampled_from(["example.com", "gmail.com", "mail.example.org"])
TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.-", max_size=8)
# Characters a reader does not see, or sees as the same letter (issue #24's probe list).
INVISIBLE = ["\U000e0101", "\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff", "\u2060", "\ufe0f"]
FEW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
_sites = itertools.count(1)


def _dotted(local: str, cuts: list[int]) -> str:
    """The local part with dots inserted after the given positions (none at the ends)."""
    out = local
    for cut in sorted({c % len(local) for c in cuts if 0 < c % len(local)}, reverse=True):
        out = out[:cut] + "." + out[cut:]
    return out


@given(local=LOCAL, domain=DOMAIN, tag=TAG, cuts=st.lists(st.integers(1, 11), max_size=3))
def test_tags_dots_and_case_name_the_same_mailbox(
    local: str, domain: str, tag: str, cuts: list[int]
) -> None:
    variant = f"{_dotted(local, cuts)}+{tag}@{domain}".upper()
    assert canonical_email(variant) == canonical_email(f"{local}@{domain}")


def test_googlemail_is_gmail() -> None:
    assert canonical_email("r.ate+x@googlemail.com") == canonical_email("rate@gmail.com")


@given(ip=st.ip_addresses(v=4))
def test_ipv4_written_as_ipv6_is_the_same_address(ip: ipaddress.IPv4Address) -> None:
    forms = [
        f"::ffff:{ip}",
        str(ipaddress.IPv6Address(f"::ffff:{ip}")),
        str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(ip))),
        f"64:ff9b::{ip}",
        str(ipaddress.IPv6Address((0x2002 << 112) | (int(ip) << 80) | 1)),
    ]
    assert {canonical_ip(form) for form in forms} == {str(ip)}


@given(ip=st.ip_addresses(v=6), host=st.integers(0, 2**64 - 1), zone=LOCAL)
def test_an_ipv6_counts_as_its_64_whatever_its_host_part_or_zone(
    ip: ipaddress.IPv6Address, host: int, zone: str
) -> None:
    if ip.ipv4_mapped or ip.sixtofour or ip in ipaddress.IPv6Network("64:ff9b::/96"):
        return  # those are IPv4 addresses (above)
    neighbour = ipaddress.IPv6Address((int(ip) >> 64 << 64) | host)
    if neighbour.ipv4_mapped or neighbour in ipaddress.IPv6Network("64:ff9b::/96"):
        return
    assert canonical_ip(f"{neighbour}%{zone}") == canonical_ip(str(ip))


def test_different_networks_stay_apart() -> None:
    assert canonical_ip("203.0.113.5") != canonical_ip("203.0.113.6")
    assert canonical_ip("2001:db8:0:1::1") != canonical_ip("2001:db8:0:2::1")


@pytest.fixture
def guard(redis_url: str) -> AbuseGuard:
    """A guard on the real test Redis: 2 comments a minute per author, duplicates for 60 s."""
    return AbuseGuard(redis.Redis.from_url(redis_url), "2/minute", "", 60)


def _site() -> Site:
    """A fresh site each time, so hypothesis examples do not share counters."""
    n = next(_sites)
    return Site(
        id=n, slug=f"site-{n}", name="Site", policy={}, api_key_prefix="", created_at=utcnow()
    )


def _submission(email: str, text: str, ip: str | None = None) -> Submission:
    return Submission("a1", "Reader", email, text, author_ip=ip)


@FEW
@given(local=LOCAL, tag=TAG, cuts=st.lists(st.integers(1, 11), max_size=3))
def test_email_variants_share_one_rate_limit(
    guard: AbuseGuard, local: str, tag: str, cuts: list[int]
) -> None:
    site = _site()
    emails = [
        f"{local}@example.com",
        f"{local}+{tag}@example.com",
        f"{_dotted(local, cuts)}@EXAMPLE.com",
    ]
    outcomes = [
        guard.admit(site, _submission(e, f"text {n}"), f"c{n}") for n, e in enumerate(emails)
    ]
    assert [o.limited is None for o in outcomes] == [True, True, False]


@FEW
@given(ip=st.ip_addresses(v=4))
def test_ip_forms_share_one_rate_limit(guard: AbuseGuard, ip: ipaddress.IPv4Address) -> None:
    site = _site()
    forms = [str(ip), f"::ffff:{ip}", f"64:ff9b::{ip}"]
    outcomes = [
        guard.admit(site, _submission(f"r{n}@example.com", f"text {n}", form), f"c{n}")
        for n, form in enumerate(forms)
    ]
    assert outcomes[2].limited is not None and outcomes[2].limited.scope == "author_ip"


@FEW
@given(
    position=st.integers(0, 20),
    disguise=st.sampled_from([*INVISIBLE, "cyrillic", "fullwidth", "nfd"]),
)
def test_disguised_copies_of_a_text_are_duplicates(
    guard: AbuseGuard, position: int, disguise: str
) -> None:
    site = _site()
    text = "Buy cheap watches at my shop today"
    copy = _disguise(text, position % len(text), disguise)
    assert copy != text
    first = guard.admit(site, _submission("a@example.com", text), "c1")
    again = guard.admit(site, _submission("a@example.com", copy), "c2")
    assert first.duplicate_of is None and again.duplicate_of == "c1"


def _disguise(text: str, at: int, how: str) -> str:
    """The text with one invisible or lookalike change at a position."""
    if how == "cyrillic":
        return text.replace("a", "\u0430", 1)
    if how == "fullwidth":
        return text.replace("B", "\uff22", 1)
    if how == "nfd":
        return text.replace("shop", "sho\u0301p") if at % 2 else text + "\u0301"
    return text[:at] + how + text[at:]


def test_a_different_text_is_not_a_duplicate(guard: AbuseGuard) -> None:
    site = _site()
    guard.admit(site, _submission("a@example.com", "I paid 5 euros"), "c1")
    assert (
        guard.admit(site, _submission("a@example.com", "I paid 6 euros"), "c2").duplicate_of is None
    )
