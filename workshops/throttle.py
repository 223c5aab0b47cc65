"""Slowing down people who guess workshop codes and personal links.

Both are credentials typed or followed without an account, and both are used
from shared networks: a venue's Wi-Fi, a council's whole building behind one
address. So a right code or link is always looked up and accepted first, and
only wrong ones count, against the network they came from. After a small free
allowance each wrong guess makes that network wait before its next one, the
wait doubling from one second to a cap; wrong guesses during the wait are
refused and never push it past the cap. Nobody is ever locked out of a code or
link they really hold, and nothing sleeps in a worker: the wait is a time
stored in the shared cache and told to the guesser (429 with Retry-After).

The counters live in the cache every app server shares. If the cache cannot
be reached they fail open (guesses go uncounted, which the code space of 30^8
and the 256-bit links can bear for a while) and say so once in the log.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

log = logging.getLogger(__name__)

# A guesser who stops for this long starts again with the free allowance.
FORGET_AFTER = 3600
# While the cache is unreachable, say so once a minute, not once a request.
WARN_EVERY = 60.0
_warned_at = float("-inf")


def _now() -> float:
    return time.time()


def network(address: str) -> str:
    """The part of an address one household or venue holds: IPv6 by its /64
    (every device there may have addresses of its own in it), IPv4 as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # an IPv4 client of a dual-stack server
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def network_of(request: HttpRequest) -> str:
    return network(client_address(request))


def _failed(exc: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY:
        _warned_at = now
        log.warning("The cache cannot be reached, so guesses are not counted: %s", exc)


def reset_warning() -> None:
    """Let the next cache failure be logged at once (in tests)."""
    global _warned_at
    _warned_at = float("-inf")


def wait_after(misses: int) -> int:
    """Seconds to wait after ``misses`` wrong guesses: none within the allowance,
    then 1, 2, 4… up to the cap."""
    over = misses - settings.GUESSES_ALLOWED
    if over <= 0:
        return 0
    # The exponent is bounded so that a long run of guesses stays a small number.
    return min(2 ** min(over - 1, 32), settings.GUESS_WAIT_MAX_SECONDS)


def count_miss(request: HttpRequest, group: str) -> int:
    """Count a wrong guess from this request's network; return the seconds it must
    now wait before guessing again (0: it may guess on)."""
    key = f"guesses:{group}:{network_of(request)}"
    try:
        now = _now()
        until = cache.get(f"{key}:until")
        if until is not None and until > now:
            # Still waiting: refused, neither counted nor made longer.
            return math.ceil(until - now)
        cache.add(key, 0, timeout=FORGET_AFTER)
        misses = cache.incr(key)
        cache.touch(key, FORGET_AFTER)
        wait = wait_after(misses)
        if wait:
            cache.set(f"{key}:until", now + wait, timeout=wait + 1)
            if wait == settings.GUESS_WAIT_MAX_SECONDS:
                log.info("Wrong %s guesses from %s: held to one per %s s", group, key, wait)
        return wait
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open
        _failed(exc)
        return 0


def wait_message(seconds: int, what: str) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return f"Wait {seconds} {unit} before trying another {what}"


def count_join(workshop_id: int, network: str, timeout: int) -> int:
    """Count a phone joining this workshop from ``network``; return how many have
    (0 if the cache cannot be reached)."""
    key = f"joins:{workshop_id}:{network}"
    try:
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open
        _failed(exc)
        return 0


def sign_in_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a sign-in attempt is for, as django-axes counts it.

    Email addresses sign in whatever their case, so they are counted in one
    case too: otherwise "Chair@…" and "chair@…" would each get their own
    allowance of guesses at the same account.
    """
    credentials = credentials or {}
    # django-allauth's form posts "login" and authenticates with "email"; the admin
    # site's posts "username".
    name = (
        credentials.get("email")
        or credentials.get("username")
        or request.POST.get("login")
        or request.POST.get("username")
    )
    return name.strip().lower() if name else None


def client_address(request: HttpRequest) -> str:
    """The address a request came from, for the guess counters behind a reverse proxy.

    With TRUSTED_PROXY_COUNT proxies in front of the app servers, each appends
    the address it was reached from to X-Forwarded-For, so the client is that
    many entries from the right. Anything further left was written by the
    client and could be anything, so it is never used.
    """
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    count = settings.TRUSTED_PROXY_COUNT
    if count and len(forwarded) >= count and forwarded[-count]:
        return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
