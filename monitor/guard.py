"""The address policy (SSRF guard): the crawler only connects to public addresses, unless told otherwise.

A government site's page, link or redirect may point anywhere: at 127.0.0.1:5432, at the cloud metadata service
169.254.169.254, at the office's intranet. The crawler must not be a proxy into the network it runs in, so every
connection is checked here, after DNS resolution, against this policy:

- an address is public unless it is loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
  (169.254/16, fe80::/10), CGNAT (100.64/10), multicast, reserved or documentation ranges, unspecified (0.0.0.0,
  ::), or an IPv6 form wrapping one of those (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, 6to4
  2002::/16, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, Teredo 2001::/32);
- IPv4 literals are read as browsers and inet_aton read them: "0x7f000001", "2130706433", "0177.0.0.1", "127.1"
  are 127.0.0.1;
- a host named by the host map (MONITOR_HOST_MAP) may connect to its mapped addresses (the operator said so);
- MONITOR_ALLOWED_NETWORKS (';'-separated) lets chosen destinations through: CIDRs or single addresses
  ("10.20.0.0/16", "fd00::/8", "192.168.1.5") allow those addresses for any host, host patterns ("*.gov.intra",
  "oa.example.gov.cn", as in the host map) allow those hosts whatever they resolve to.

The check is enforced by monitor.hostmap.HostMapDownloadHandler, which resolves each host once, checks every address
and connects to the checked address (see there). A refused request fails with ForbiddenAddressError, classified
as the outcome `forbidden` (monitor/outcome.py).
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError, IgnoreRequest

# A module import: monitor.hostmap imports this module for its handler, and reads it at call time only.
from monitor import hostmap as _hostmap

if TYPE_CHECKING:
    from monitor.hostmap import HostRule

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

FORBIDDEN = "forbidden"
FORBIDDEN_REASON = "目标地址为内网或保留地址,已拒绝访问"

# Ranges never reached without an explicit allow-list entry. Python's is_global is the base; these are listed too
# because is_global misses some of them (multicast is "global" to it) and its tables changed across 3.11 patches.
BLOCKED_NETWORKS: tuple[Network, ...] = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::/96", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
    "ff00::/8", "64:ff9b:1::/48",
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TEREDO = ipaddress.ip_network("2001::/32")

_DEC = re.compile(r"[0-9]+")
_OCT = re.compile(r"0[0-7]*")
_HEX = re.compile(r"0x[0-9a-f]*")


class ForbiddenAddressError(IgnoreRequest):
    """A request refused by the address policy: its host is (or resolves to) an internal or reserved address.

    An IgnoreRequest, so it is neither retried nor logged as an error of the crawler; the errbacks record it."""

    def __init__(self, url: str, host: str, address: str) -> None:
        self.url, self.host, self.address = url, host, address
        shown = host if host == address else f"{host} → {address}"
        super().__init__(f"{FORBIDDEN_REASON}: {shown}")


def _ipv4_number(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCT.fullmatch(part):
        return int(part, 8)
    if _DEC.fullmatch(part) and not part.startswith("0"):
        return int(part)
    return None


def parse_ip(host: str) -> IPAddress | None:
    """The IP address a URL host stands for, or None for a name. Brackets, an IPv6 zone and a trailing dot are
    ignored; IPv4 in 1 to 4 parts of decimal, octal (leading 0) or hex (0x) as inet_aton and WHATWG URLs read it."""
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text[:-1].split(".") if text.endswith(".") else text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_ipv4_number(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):  # type: ignore[operator]
        return None
    value = 0
    for n in head:
        value = value * 256 + n  # type: ignore[operator]
    value = value * 256 ** (5 - len(parts)) + last  # type: ignore[operator]
    return ipaddress.IPv4Address(value)


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64, Teredo client), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # NAT64 well-known prefix; ::a.b.c.d
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in TEREDO and ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IPAddress) -> bool:
    """Whether a visitor on the internet could reach this address (so may the crawler)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in TEREDO:  # a tunnel endpoint, never a site's server
            return False
        inner = embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    if any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def parse_allowed(text: str) -> tuple[list[Network], list[str]]:
    """MONITOR_ALLOWED_NETWORKS → (networks, host patterns). Entries that read as an address or CIDR are networks
    (any IPv4 spelling a URL may use); the rest are host patterns ("*.suffix" or an exact name)."""
    networks: list[Network] = []
    patterns: list[str] = []
    for raw in text.replace("\n", ";").split(";"):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        ip = parse_ip(entry)
        if ip is not None:
            networks.append(ipaddress.ip_network(ip))
        elif re.fullmatch(r"[\w*.-]+", entry) and "/" not in entry:
            patterns.append(entry.lower())
        else:
            raise ValueError(f"MONITOR_ALLOWED_NETWORKS: malformed entry {entry!r}; expected a CIDR, an address "
                             "or a host pattern such as *.example.gov.cn")
    return networks, patterns


@dataclass
class AddressPolicy:
    """Which destinations a request may connect to; resolve() gives the checked addresses of a host."""

    host_rules: list[HostRule] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    host_patterns: list[str] = field(default_factory=list)
    dns_timeout: float = 10.0
    cache_seconds: float = 60.0
    cache_size: int = 10_000
    _cache: OrderedDict[tuple[str, int], tuple[float, list[IPAddress]]] = field(default_factory=OrderedDict)

    @classmethod
    def from_settings(cls, settings: Any) -> AddressPolicy:
        networks, patterns = parse_allowed(str(settings.get("MONITOR_ALLOWED_NETWORKS") or ""))
        return cls(_hostmap.parse_host_map(str(settings.get("MONITOR_HOST_MAP") or "")), networks, patterns,
                   dns_timeout=float(settings.getfloat("DNS_TIMEOUT", 10.0) or 10.0),
                   cache_seconds=60.0 if settings.getbool("DNSCACHE_ENABLED", True) else 0.0,
                   cache_size=settings.getint("DNSCACHE_SIZE", 10_000))

    def mapped(self, host: str) -> list[str]:
        """The host map's addresses for host ([] when not mapped)."""
        return _hostmap.lookup_all(self.host_rules, host)

    def host_allowed(self, host: str) -> bool:
        """Whether an allow-list host pattern names this host."""
        name = host.lower().rstrip(".")
        return any(fnmatch.fnmatchcase(name, p) for p in self.host_patterns)

    def permits(self, host: str, ip: IPAddress) -> bool:
        """Whether host may be connected to at ip."""
        if self.host_allowed(host):
            return True
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and (inner := embedded_ipv4(ip)) is not None:
            candidates.append(inner)
        if any(c in net for c in candidates for net in self.networks if net.version == c.version):
            return True
        if any(_hostmap.address_host(a) == str(ip) or parse_ip(_hostmap.address_host(a)) == ip
               for a in self.mapped(host)):
            return True
        return is_public(ip)

    def check(self, url: str, host: str, addresses: Iterable[IPAddress]) -> list[IPAddress]:
        """addresses when every one is permitted; else ForbiddenAddressError naming the first refused one.
        Every address is checked (not only the one used): a host answering a public and an internal address is
        refused, or a later connection could take the internal one."""
        addresses = list(addresses)
        for ip in addresses:
            if not self.permits(host, ip):
                raise ForbiddenAddressError(url, host, str(ip))
        return addresses

    async def resolve(self, url: str, host: str, port: int, limit: float | None = None) -> list[IPAddress]:
        """The checked addresses of host, in the system's order of preference (getaddrinfo, RFC 6724).

        An IP literal in any spelling is checked without DNS. A name is resolved once (cached for cache_seconds:
        the cache only holds addresses that passed the check) and every address is checked. DNS failure, or no
        answer within DNS_TIMEOUT, raises CannotResolveHostError (outcome dns); no answer within a shorter
        `limit` (what is left of the request's download_timeout) raises DownloadTimeoutError (outcome timeout),
        as when the resolution was part of the connection."""
        literal = parse_ip(host)
        if literal is not None:
            return self.check(url, host, [literal])
        key = (host.lower(), port)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return self.check(url, host, cached[1])  # re-checked: cheap, and the policy is the judge
        loop = asyncio.get_running_loop()
        wait = self.dns_timeout if limit is None else min(self.dns_timeout, limit)
        try:
            infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), wait)
        except TimeoutError as exc:
            if wait < self.dns_timeout:
                raise DownloadTimeoutError(f"Getting {url} took longer than {wait:g} seconds (DNS)") from exc
            raise CannotResolveHostError(f"DNS lookup timed out for {host} after {wait:g} s") from exc
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise CannotResolveHostError(f"DNS lookup failed for {host}: {exc}") from exc
        found: list[IPAddress] = []
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if ip not in found:
                found.append(ip)
        if not found:
            raise CannotResolveHostError(f"DNS lookup returned no address for {host}")
        checked = self.check(url, host, found)
        if self.cache_seconds > 0:
            self._cache[key] = (time.monotonic() + self.cache_seconds, checked)
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return checked


def connect_address(ip: IPAddress, port: int) -> str:
    """An address as the host map writes it: "1.2.3.4:80", "[2001:db8::1]:443"."""
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


# Chromium (--host-resolver-rules): its rules match the host string of every URL, IP literals included (as Chromium
# writes them: dotted quad, compressed IPv6 without brackets), so internal literals and localhost can be made
# unresolvable for every request of a rendered page, a redirect chain's middle hops included, which Playwright's
# route hook never sees. Names that resolve to internal addresses through DNS are not covered by these rules.
_CHROMIUM_V6 = (("::*", "::/16"), ("fc*:*", "fc00::/8"), ("fd*:*", "fd00::/8"), ("fe8*:*", "fe80::/12"),
                ("fe9*:*", "fe90::/12"), ("fea*:*", "fea0::/12"), ("feb*:*", "feb0::/12"), ("fec*:*", "fec0::/12"),
                ("fed*:*", "fed0::/12"), ("fee*:*", "fee0::/12"), ("fef*:*", "fef0::/12"), ("ff*:*", "ff00::/8"),
                ("64:ff9b:*", "64:ff9b::/32"), ("2002:*", "2002::/16"), ("2001:db8:*", "2001:db8::/32"),
                ("2001:0:*", "2001::/32"), ("2001::*", "2001::/32"), ("100::*", "100::/64"))


def _ipv4_patterns(net: ipaddress.IPv4Network) -> Iterable[tuple[str, ipaddress.IPv4Network]]:
    """Octet-aligned wildcard patterns covering net ("10.*.*.*", "172.16.*.*" … "172.31.*.*")."""
    octets = -(-net.prefixlen // 8)
    for sub in (net.subnets(new_prefix=octets * 8) if octets * 8 > net.prefixlen else [net]):
        head = str(sub.network_address).split(".")[:octets]
        yield ".".join(head + ["*"] * (4 - octets)), sub


def chromium_block_rules(policy: AddressPolicy) -> str:
    """The --host-resolver-rules entries ("MAP 127.*.*.* ~NOTFOUND, …") refusing internal literals and localhost,
    except what MONITOR_ALLOWED_NETWORKS allows; append them after the host map's rules (the first matching rule
    wins, so mapped hosts keep their addresses)."""
    patterns: list[str] = []
    for net in BLOCKED_NETWORKS:
        if isinstance(net, ipaddress.IPv4Network):
            for pattern, sub in _ipv4_patterns(net):
                if pattern not in patterns and not any(sub.overlaps(a) for a in policy.networks if a.version == 4):
                    patterns.append(pattern)
    for pattern, cidr in _CHROMIUM_V6:
        net6 = ipaddress.ip_network(cidr)
        if not any(net6.overlaps(a) for a in policy.networks if a.version == 6):
            patterns.append(pattern)
    loopback = [ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128")]
    if not policy.host_allowed("localhost") and not any(n.overlaps(a) for n in loopback for a in policy.networks
                                                        if a.version == n.version):
        patterns += ["localhost", "*.localhost"]
    return ", ".join(f"MAP {p} ~NOTFOUND" for p in patterns)
