"""The client's address: one decision, used by the rate limits, django-axes and the logs.

The portal believes `X-Forwarded-For` only from a connection that comes from one of the
reverse proxies listed in `PORTAL_TRUSTED_PROXIES`, and reads it only as far back as the
number of proxies that append to it (`PORTAL_TRUSTED_PROXY_COUNT`). Anything further left
in the header was written by the client and is ignored. A client that reaches gunicorn
directly is therefore always its own connecting address, whatever header it sends.

The documented topologies (README, "Production topology"):

- compose: nginx on the compose network at a fixed address, one proxy:
  `PORTAL_TRUSTED_PROXIES=<nginx's address>`, `PORTAL_TRUSTED_PROXY_COUNT=1`;
- one host (deploy/): nginx and gunicorn on loopback: `127.0.0.1`, count 1;
- a load balancer in front of nginx: both networks listed, count 2;
- no proxy (gunicorn facing clients, which the README advises against): count 0.
"""

import contextvars
import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest

_current = contextvars.ContextVar("portal_client_address", default="-")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.PORTAL_TRUSTED_PROXIES))


def _parse(value: str):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket ("::ffff:198.51.100.7") is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_proxy(address, networks) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that made this request, as far as the portal can know it
    ("" when the request has no connecting address)."""
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""  # no connecting address (a request built in code): nothing to go on
    hops = settings.PORTAL_TRUSTED_PROXY_COUNT
    networks = trusted_networks()
    if hops <= 0 or not _is_proxy(remote, networks):
        return str(remote)
    chain = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    address = remote
    for hop in range(hops):
        if not chain:
            break  # the proxy added nothing: the connection is all we know
        candidate = _parse(chain.pop())
        if candidate is None:
            break  # not an address: ignore the header from here on
        address = candidate
        if hop < hops - 1 and not _is_proxy(address, networks):
            break  # reached a client before the last trusted proxy
    return str(address)


class ClientAddressMiddleware:
    """Decide the client address once per request: `request.client_address`, and the
    `client` field of every log record written while the request is handled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.client_address = client_address(request)
        # Kept until the response is finished (Django logs "Not Found" and errors after the
        # middlewares have returned); request_finished clears it.
        _current.set(request.client_address or "-")
        return self.get_response(request)


def _forget_client(**kwargs) -> None:
    _current.set("-")


request_finished.connect(_forget_client, dispatch_uid="portal-forget-client-address")


class ClientAddressLogFilter(logging.Filter):
    """Adds `%(client)s` to log records: the current request's client address, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "client"):
            record.client = _current.get()
        return True
