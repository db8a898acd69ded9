"""The outbound link checker against a local server: working, moved, missing, servers that
refuse HEAD, and servers that never answer."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from links.checker import check_url
from links.models import LinkCheck
from tests.factories import make_resource

pytestmark = pytest.mark.django_db
SLOW_SECONDS = 3


class Handler(BaseHTTPRequestHandler):
    def _answer(self, with_body: bool) -> None:
        path = self.path
        if path == "/slow":
            time.sleep(SLOW_SECONDS)
        if path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        if path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
            self.end_headers()
            return
        status = 404 if path == "/missing" else 200
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        if with_body:
            self.wfile.write(b"hello")

    def do_HEAD(self):
        self._answer(with_body=False)

    def do_GET(self):
        self._answer(with_body=True)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_working_link(server):
    result = check_url(server + "/ok", timeout=2)
    assert result.ok and result.status_code == 200 and result.final_url == ""


def test_a_moved_link_is_followed_and_its_new_address_recorded(server):
    result = check_url(server + "/moved", timeout=2)
    assert result.ok and result.status_code == 200
    assert result.final_url == server + "/ok"


def test_a_missing_page_is_broken(server):
    result = check_url(server + "/missing", timeout=2)
    assert not result.ok and result.status_code == 404 and "404" in result.error


def test_a_server_refusing_head_is_asked_with_get(server):
    result = check_url(server + "/no-head", timeout=2)
    assert result.ok and result.status_code == 200


def test_a_server_that_does_not_answer_times_out(server):
    started = time.monotonic()
    result = check_url(server + "/slow", timeout=0.5)
    assert time.monotonic() - started < SLOW_SECONDS - 0.5
    assert not result.ok and result.status_code is None and "0.5 seconds" in result.error


def test_nothing_listens(server):
    result = check_url("http://127.0.0.1:9/", timeout=1)
    assert not result.ok and result.error


def test_command_stores_results_and_the_admin_lists_broken_links(server, admin_client):
    good = make_resource(title="Good link", external_url=server + "/ok", is_published=True)
    bad = make_resource(
        title="Bad link",
        external_url=server + "/missing",
        video_url=server + "/moved",
        is_published=True,
    )
    make_resource(title="Draft", external_url=server + "/missing", is_published=False)
    call_command("check_links", "--timeout", "2", stdout=open("/dev/null", "w"))
    assert set(LinkCheck.objects.values_list("resource__title", "url", "ok")) == {
        ("Good link", server + "/ok", True),
        ("Bad link", server + "/missing", False),
        ("Bad link", server + "/moved", True),
    }
    assert list(LinkCheck.objects.broken().values_list("resource", flat=True)) == [bad.pk]
    listing = admin_client.get(
        reverse("admin:links_linkcheck_changelist"), {"ok__exact": "0"}
    ).content.decode()
    assert server + "/missing" in listing and "HTTP 404" in listing
    assert server + "/ok</" not in listing
    # A link fixed by staff drops its old check on the next run.
    bad.external_url = server + "/ok"
    bad.save()
    call_command("check_links", "--timeout", "2", stdout=open("/dev/null", "w"))
    assert not LinkCheck.objects.broken().exists()
    assert LinkCheck.objects.filter(resource=good).count() == 1
