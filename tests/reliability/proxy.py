"""nginx from the Debian package, with the deployment's own configuration
(deploy/nginx/portal.conf.template), in front of a test gunicorn on loopback, with TLS from a
throwaway self-signed certificate. The template is filled in the way the official nginx
image does it: only the PORTAL_ variables, nginx's own $variables left alone."""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .servers import ROOT, Response, free_port, tail, wait_for_port

TEMPLATE = ROOT / "deploy" / "nginx" / "portal.conf.template"
ERROR_PAGES = ROOT / "deploy" / "nginx" / "errors"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SERVER_NAME = "portal.test"

MAIN_CONF = """
{user}
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {dir}/access.log;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/portal.conf;
}}
"""


def render(template: str, values: dict[str, str]) -> str:
    """What the nginx image's envsubst step does: replace the listed ${NAME}s only."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    return template


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def require_nginx() -> None:
    import pytest

    from .conftest import in_ci

    if Path(NGINX).exists():
        return
    reason = "nginx not found (apt-get install nginx): the proxy tests run Debian's nginx."
    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


class Nginx:
    def __init__(self, *, upstream_port: int, work_dir: Path, cert: Path, key: Path):
        self.https_port = free_port()
        self.http_port = free_port()
        self.dir = work_dir / f"nginx-{self.https_port}"
        self.dir.mkdir(parents=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / sub).mkdir()
        values = {
            "PORTAL_SERVER_NAME": SERVER_NAME,
            "PORTAL_HTTP_LISTEN": f"127.0.0.1:{self.http_port}",
            "PORTAL_HTTPS_LISTEN": f"127.0.0.1:{self.https_port}",
            "PORTAL_TLS_CERT": str(cert),
            "PORTAL_TLS_KEY": str(key),
            "PORTAL_UPSTREAM": f"127.0.0.1:{upstream_port}",
            "PORTAL_ERROR_PAGES": str(ERROR_PAGES),
        }
        conf = render(TEMPLATE.read_text(), values)
        assert "${PORTAL_" not in conf, "a variable of the template was not filled in"
        (self.dir / "portal.conf").write_text(conf)
        user = "user root root;" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(MAIN_CONF.format(dir=self.dir, user=user))
        self.log = self.dir / "error.log"
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "stderr.log", "wb"),
        )
        try:
            wait_for_port(self.https_port, timeout=20, process=self.process)
        except Exception:
            self.stop()
            raise RuntimeError(
                f"nginx did not start:\n{tail(self.dir / 'stderr.log')}\n{tail(self.log)}"
            ) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context

    def connect(self, timeout: float = 15) -> ssl.SSLSocket:
        """A raw TLS connection, for requests http.client would refuse to send."""
        sock = socket.create_connection(("127.0.0.1", self.https_port), timeout=timeout)
        return self.tls_context().wrap_socket(sock, server_hostname=SERVER_NAME)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers=None, timeout=15
    ) -> Response:
        started = time.monotonic()
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, timeout=timeout, context=self.tls_context()
        )
        try:
            connection.request(
                method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})}
            )
            response = connection.getresponse()
            data = response.read()
            return Response(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                data,
                time.monotonic() - started,
            )
        finally:
            connection.close()


@dataclass
class RawReply:
    status: int | None
    head: str
    body: bytes


def read_reply(sock, limit: int = 2_000_000) -> RawReply:
    """Read one HTTP answer up to its end (Content-Length or close)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    if b"\r\n\r\n" not in data:
        return RawReply(None, data.decode("latin-1"), b"")
    head, _, body = data.partition(b"\r\n\r\n")
    while head.startswith(b"HTTP/1.1 100 "):  # "100 Continue": the answer follows
        while b"\r\n\r\n" not in body:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        head, _, body = body.partition(b"\r\n\r\n")
    head_text = head.decode("latin-1")
    try:
        status = int(head_text.split(" ", 2)[1])
    except (IndexError, ValueError):
        status = None
    length = None
    for line in head_text.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while (length is None or len(body) < length) and len(body) < limit:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, OSError):
            break
        if not chunk:
            break
        body += chunk
    return RawReply(status, head_text, body)
