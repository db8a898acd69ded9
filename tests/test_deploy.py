"""The deployment files agree with each other: compose publishes only the proxy, gunicorn and
the portal trust the proxy's address alone, .env.example is safe as written, and the one
nginx configuration does what the deployment notes promise."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compose_services() -> dict[str, str]:
    """Each service's block of docker-compose.yml, as text."""
    text = (ROOT / "docker-compose.yml").read_text()
    body = text.split("\nservices:\n", 1)[1].split("\nnetworks:\n", 1)[0]
    blocks = re.split(r"^  (?=[a-z][\w-]*:\n)", body, flags=re.MULTILINE)
    return {block.split(":", 1)[0]: block for block in blocks if block.strip()}


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"^[A-Z_]+=", line))


def test_only_the_proxy_is_reachable_from_outside_the_machine():
    services = compose_services()
    assert {"proxy", "web", "worker", "db", "mailcatcher"} <= set(services)
    for name, block in services.items():
        published = (
            re.findall(r'^\s+- "([^"]+)"$', block.split("ports:", 1)[1], re.MULTILINE)
            if ("ports:" in block)
            else []
        )
        if name == "proxy":
            assert published == ["80:80", "443:443"]
        else:
            assert all(port.startswith("127.0.0.1:") for port in published), (name, published)
    assert "ports:" not in services["web"]


def test_gunicorn_and_the_portal_trust_the_proxys_address_alone():
    services = compose_services()
    proxy_address = re.search(r"ipv4_address: ([\d.]+)", services["proxy"]).group(1)
    text = (ROOT / "docker-compose.yml").read_text()
    assert f"PORTAL_TRUSTED_PROXIES: {proxy_address}" in text
    assert 'PORTAL_TRUSTED_PROXY_COUNT: "1"' in text
    assert f"GUNICORN_FORWARDED_ALLOW_IPS: {proxy_address}" in services["web"]
    assert "./deploy/nginx/portal.conf.template:/etc/nginx/templates/" in services["proxy"]


def test_env_example_is_safe_as_written():
    env = env_example()
    assert env["DJANGO_SECRET_KEY"] == ""  # the portal refuses to start until one is set
    assert env["DJANGO_DEBUG"] == "false"
    assert env["GUNICORN_BIND"].startswith("127.0.0.1:")
    assert "*" not in env["GUNICORN_FORWARDED_ALLOW_IPS"]
    assert env["PORTAL_TRUSTED_PROXIES"] == "127.0.0.1"
    assert env["PORTAL_TRUSTED_PROXY_COUNT"] == "1"


def test_the_proxy_configuration_buffers_replaces_the_address_and_never_retries():
    conf = (ROOT / "deploy" / "nginx" / "portal.conf.template").read_text()
    for directive in (
        "proxy_set_header X-Forwarded-For $remote_addr;",
        "proxy_request_buffering on;",
        "proxy_buffering on;",
        "client_header_timeout 10s;",
        "client_body_timeout 10s;",
        "client_max_body_size 1m;",
        "proxy_next_upstream off;",
        "ssl_protocols TLSv1.2 TLSv1.3;",
    ):
        assert directive in conf, directive
    assert "$proxy_add_x_forwarded_for" not in conf


def test_systemd_units_run_gunicorn_on_loopback_settings_and_the_mail_worker():
    web = (ROOT / "deploy" / "systemd" / "deflection-portal-web.service").read_text()
    mail = (ROOT / "deploy" / "systemd" / "deflection-portal-mail.service").read_text()
    assert "gunicorn --config gunicorn.conf.py" in web
    assert "EnvironmentFile=/etc/deflection-portal/env" in web
    assert "run_mail_worker" in mail
