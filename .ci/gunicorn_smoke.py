"""Start gunicorn with production settings on PostgreSQL, fetch pages and a static file, stop.

Checks that the production stack serves: the home page (200), a hashed static file compressed
and with far-future cache headers, and the branded 404.
"""

import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def check(condition: bool, message: str) -> None:
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        raise SystemExit(1)


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("DATABASE_URL must point at PostgreSQL for the smoke test.")
    port = free_port()
    static_root = tempfile.mkdtemp(prefix="portal-static-")
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "smoke-test-secret-" + "s" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "true",
        "DJANGO_STATIC_ROOT": static_root,
    }
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "load_demo_content"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        status, _, body = fetch(base + "/")
        check(status == 200 and b"<h1>" in body, f"home page answers 200 ({status})")
        status, _, body = fetch(base + "/what-is-deflection/")
        check(status == 200 and b"Justice Community" in body, f"what is deflection ({status})")
        status, _, body = fetch(base + "/no-such-page/")
        check(status == 404 and b"find that page" in body, f"branded 404 ({status})")

        manifest = json.loads((Path(static_root) / "staticfiles.json").read_text())
        hashed = manifest["paths"]["css/site.css"]
        check(hashed != "css/site.css", f"static file has a hashed name ({hashed})")
        status, headers, body = fetch(f"{base}/static/{hashed}", **{"Accept-Encoding": "gzip"})
        check(status == 200, f"hashed static file answers 200 ({status})")
        check(headers.get("Content-Encoding") == "gzip", "static file is served compressed")
        check(b"portal" in gzip.decompress(body).lower(), "compressed body is the stylesheet")
        cache = headers.get("Cache-Control", "")
        check("max-age=315360000" in cache and "immutable" in cache, f"long cache ({cache})")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("gunicorn smoke test passed")


if __name__ == "__main__":
    main()
