"""The client address: one function for the rate limits, axes and the logs, which a client
cannot choose with X-Forwarded-For in any documented topology."""

import logging

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

from deflection_portal.client_address import ClientAddressLogFilter, client_address

TOPOLOGIES = {
    # name: (trusted proxies, count, the proxy's address as gunicorn sees it)
    "compose": (["172.28.0.10"], 1, "172.28.0.10"),
    "one host": (["127.0.0.1", "::1"], 1, "127.0.0.1"),
    "load balancer and nginx": (["10.0.0.0/24", "127.0.0.1"], 2, "127.0.0.1"),
    "no proxy": ([], 0, None),
}


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize(
    "forged", ["6.6.6.6", "127.0.0.1", "172.28.0.10", "6.6.6.6, 10.0.0.5", "not-an-ip", ""]
)
def test_a_direct_client_is_its_connecting_address_whatever_it_sends(settings, topology, forged):
    settings.PORTAL_TRUSTED_PROXIES, settings.PORTAL_TRUSTED_PROXY_COUNT, _ = TOPOLOGIES[topology]
    assert client_address(request_from("198.51.100.7", forged)) == "198.51.100.7"


@pytest.mark.parametrize(
    ("topology", "forwarded", "expected"),
    [
        # nginx replaces the header with the address it saw: what the client sent is gone.
        ("compose", "198.51.100.7", "198.51.100.7"),
        # A proxy that appends instead: only the right-most entry is the proxy's word.
        ("compose", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        ("one host", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # Load balancer (10.0.0.1) appended the client, nginx appended the load balancer.
        ("load balancer and nginx", "6.6.6.6, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        # A client that reached nginx directly, bypassing the balancer: stops at the client.
        ("load balancer and nginx", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # The proxy sent no header, or nonsense: the proxy is all we know.
        ("compose", None, "172.28.0.10"),
        ("compose", "not-an-ip", "172.28.0.10"),
        ("compose", "::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_behind_the_proxies_the_client_is_what_the_last_proxy_saw(
    settings, topology, forwarded, expected
):
    proxies, count, proxy_address = TOPOLOGIES[topology]
    settings.PORTAL_TRUSTED_PROXIES, settings.PORTAL_TRUSTED_PROXY_COUNT = proxies, count
    assert client_address(request_from(proxy_address, forwarded)) == expected


def test_axes_and_the_rate_limit_use_the_same_function():
    from axes.helpers import get_client_ip_address

    assert django_settings.AXES_CLIENT_IP_CALLABLE == (
        "deflection_portal.client_address.client_address"
    )
    request = request_from("198.51.100.9", "6.6.6.6")
    assert get_client_ip_address(request) == client_address(request) == "198.51.100.9"


@pytest.mark.django_db
def test_the_rate_limit_counts_the_real_client_not_the_forged_header(client, settings):
    import time

    from echo.forms import sign_started
    from tests.factories import make_series

    settings.PORTAL_TRUSTED_PROXIES, settings.PORTAL_TRUSTED_PROXY_COUNT = ["127.0.0.1"], 1
    url = reverse("echo:request", kwargs={"slug": make_series().slug})
    statuses = []
    for n in range(7):
        data = {
            "full_name": "Rotating Sender",
            "email": f"rotating{n}@example.org",
            "organization": "Polk County",
            "role_title": "Coordinator",
            "sector": "county_government",
            "county": "polk",
            "consent": "on",
            "form_started": sign_started(time.time() - 30),
        }
        response = client.post(
            url, data, REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
        )
        statuses.append(response.status_code)
    assert statuses == [302] * 5 + [429] * 2


def test_log_records_carry_the_client_address(client, settings, caplog):
    settings.PORTAL_TRUSTED_PROXIES, settings.PORTAL_TRUSTED_PROXY_COUNT = ["127.0.0.1"], 1
    handler_filter = ClientAddressLogFilter()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            handler_filter.filter(record)
            records.append(record)

    keep = Keep()
    logging.getLogger("django.request").addHandler(keep)
    try:
        client.get("/no-such-page/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    finally:
        logging.getLogger("django.request").removeHandler(keep)
    assert [record.client for record in records] == ["198.51.100.4"]
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "m", (), None)
    handler_filter.filter(outside)
    assert outside.client == "-"


def test_a_count_without_proxy_addresses_is_refused_at_start(monkeypatch):
    import subprocess
    import sys

    env = {"PORTAL_TRUSTED_PROXY_COUNT": "1", "PORTAL_TRUSTED_PROXIES": "", "PATH": "/usr/bin"}
    code = "import django; django.setup()"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "deflection_portal.settings", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        cwd=str(django_settings.BASE_DIR),
    )
    assert result.returncode != 0
    assert "PORTAL_TRUSTED_PROXIES is empty" in result.stderr
