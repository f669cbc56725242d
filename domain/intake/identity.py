"""Who an author is for rate limits and duplicates: one key per mailbox and per network.

An author who varies how they write their address must still count once. Emails lose case,
`+tags` and dots in the local part, for every domain: Gmail ignores dots and most large providers
deliver `+tags` to the same mailbox, and merging two real people at one domain whose addresses
differ only by dots costs them a shared (generous) counter, while missing one provider lets a
flood through. (An attacker with a catch-all domain of their own defeats any canonical form; the
IP limit is what holds them.) `googlemail.com` is `gmail.com`.

IP addresses: an IPv4 address written as IPv6 (`::ffff:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4
`2002:AABB:CCDD::`) counts as that IPv4 address; an IPv6 address counts as its /64 (one
household or host gets a whole /64); zone ids (`%eth0`) are dropped.
"""

from __future__ import annotations

import ipaddress
import unicodedata

DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
IPV6_AUTHOR_PREFIX = 64


def canonical_email(email: str) -> str:
    """The mailbox an address delivers to, as far as rate limits and duplicates care."""
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    local, at, domain = folded.rpartition("@")
    if not at:
        return folded
    local = local.split("+", 1)[0].replace(".", "")
    domain = domain.rstrip(".")
    return f"{local}@{DOMAIN_ALIASES.get(domain, domain)}"


def canonical_ip(address: str) -> str:
    """The network an author's IP stands for: the IPv4 address, or the IPv6 /64."""
    text = address.strip().split("%", 1)[0]  # a zone id names a local interface, not a host
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text.lower()
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    embedded = ip.ipv4_mapped or ip.sixtofour
    if embedded is None and ip in NAT64_PREFIX:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if embedded is not None:
        return str(embedded)
    return str(ipaddress.IPv6Network((ip, IPV6_AUTHOR_PREFIX), strict=False))
