"""Retake the screenshots in docs/screenshots/: home, library, a resource, the request form,
a status page and the program directory, at 1280 and 390 px wide.

    .venv/bin/python docs/public_screenshots.py

Builds a throwaway SQLite database with the demo content, serves it with runserver on a free
port, and photographs each page in Debian's Chromium (PORTAL_CHROMIUM, default
/usr/bin/chromium). Nothing is fetched from the network.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "screenshots"
WIDTHS = (1280, 390)
LEADERSHIP = "deflection-implementation-leadership-echo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="portal-shots-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "PORTAL_EMAIL_IMMEDIATE": "false",
        "PORTAL_PAGE_CACHE_SECONDS": "0",
        "DJANGO_SETTINGS_MODULE": "deflection_portal.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*manage, "migrate", "--no-input", "-v0"], **run)
    subprocess.run([*manage, "load_demo_content"], **run)
    status_path = subprocess.run(
        [*manage, "shell", "-c", SETUP_SCRIPT], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        pages = {
            "home": "/",
            "library": "/library/",
            "resource": "/library/resources/civil-citation-model/",
            "request-form": f"/echo/{LEADERSHIP}/request/",
            "status": status_path,
            "directory": "/directory/",
        }
        shoot(base, pages)
    finally:
        server.terminate()
        server.wait(timeout=10)


# Example contact details (example.org), so the header, footer and contact show as staff
# would fill them in; the demo request whose status page is photographed.
SETUP_SCRIPT = """
from deflection_portal.models import ProgramSettings
from echo.models import RegistrationRequest
ProgramSettings.objects.update_or_create(pk=1, defaults=dict(
    program_name="Oregon Deflection Portal",
    official_line="Resources and training for Oregon's deflection programs",
    agency_name="Deflection Program Office (example)",
    contact_email="deflection@example.org", contact_phone="503 555 0100",
    contact_address="100 Example St NE\\nSalem, OR 97301",
    contact_hours="Monday to Friday, 8 a.m. to 5 p.m."))
request = RegistrationRequest.objects.filter(state="pending").order_by("pk").first()
print(request.get_status_url())
"""


def shoot(base: str, pages: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("PORTAL_CHROMIUM") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for name, path in pages.items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = OUTPUT / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(f"{target.relative_to(ROOT)}")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
