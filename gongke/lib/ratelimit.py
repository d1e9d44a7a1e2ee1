"""Who is asking (the client's address) and how often (a fixed-window counter in the cache).

The counter lives in Django's cache, which every worker shares: Redis (REDIS_URL) at scale, the
embedded SQLite file cache (gongke/db/sqlitecache.py) otherwise, so a limit holds for the whole
site, not per worker.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind PROXY_COUNT trusted reverse proxies, the address the outermost of them
    saw: X-Forwarded-For's PROXY_COUNT-th entry from the right. Entries further left were
    written by the client itself and prove nothing, so they are never used."""
    count = settings.PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest) -> str:
    """The client's address as a counter key: an IPv6 client by its /64, which one phone or one
    home gets whole and can pick fresh addresses from at will."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _window(key: str, seconds: int) -> tuple[str, float, int]:
    now = time.time()
    window = int(now // seconds)
    return f"ratelimit:{key}:{window}", now, window


def used(key: str, *, seconds: int = 60) -> int:
    """How much has been counted against `key` in the current window, without counting."""
    return int(cache.get(_window(key, seconds)[0]) or 0)


def take(key: str, n: int, *, limit: int, seconds: int = 60) -> int:
    """Count `n` more against `key` in the current window of `seconds`. Returns 0 when they fit
    within `limit` (and counts them), else the seconds until the window resets (nothing counted,
    so what was refused does not use up the allowance). A limit of 0 or less means no limit."""
    if limit <= 0:
        return 0
    name, now, window = _window(key, seconds)
    cache.add(name, 0, timeout=seconds + 1)
    try:
        used = cache.incr(name, n)
    except ValueError:  # expired between add and incr
        cache.set(name, n, timeout=seconds + 1)
        used = n
    if used <= limit:
        return 0
    try:
        cache.decr(name, n)
    except ValueError:
        pass
    return max(1, math.ceil((window + 1) * seconds - now))
