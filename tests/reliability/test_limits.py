"""Limits through gunicorn with production settings: the rate limit on the request form, and
the body size limit that answers before reading the body."""

import time

import pytest

from .servers import first_response_line, registration_data

pytestmark = pytest.mark.reliability

FORM = "/echo/reliability/request/"
RECEIVED = "/echo/reliability/request/received/"


def test_sixth_post_in_ten_minutes_from_one_address_gets_429(
    throwaway_pg, fresh_database, seed, start_gunicorn
):
    # The default limits (5 per 10 minutes, 20 a day), counted in the shared database cache
    # by both workers.
    server = start_gunicorn(database_url=throwaway_pg.url(fresh_database))
    client = server.client()
    statuses = []
    for n in range(6):
        email = f"limit{n}@reliability.example.org"
        statuses.append(
            client.post_form(FORM, registration_data(email, question_ids=seed["question_ids"]))
        )
    assert [r.status for r in statuses] == [302] * 5 + [429]
    refused = statuses[-1]
    # The window slides in one-minute slots: the wait is at most one slot past ten minutes.
    assert 0 < int(refused.headers["retry-after"]) <= 660
    assert "Please wait before sending another request" in refused.text
    stored = throwaway_pg.query(
        fresh_database,
        "SELECT count(*) FROM echo_registrationrequest WHERE email LIKE 'limit%%'",
    )
    assert stored == [(5,)]

    # Another client address is not held back by the busy one.
    other = server.client(source="127.0.0.2").post_form(
        FORM,
        registration_data("limit-other@reliability.example.org", question_ids=seed["question_ids"]),
    )
    assert other.status == 302 and other.headers["location"].endswith(RECEIVED)


@pytest.mark.parametrize("path", [FORM, "/admin/login/"])
def test_oversized_body_answers_413_in_well_under_a_second(start_gunicorn, work_dir, path):
    # The limit is checked from Content-Length before any database work: no database needed.
    server = start_gunicorn(database_url=f"sqlite:///{work_dir / 'no-database' / 'db.sqlite3'}")
    size = 50 * 1024 * 1024
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
    ).encode()
    server.client().get("/")  # the worker is up and warm (the page itself has no database)
    started = time.monotonic()
    status_line = first_response_line(server.port, head, b"a" * 1024 * 1024)
    took = time.monotonic() - started
    assert status_line.startswith(b"HTTP/1.1 413"), status_line
    assert took < 1, took  # about 15 ms on a quiet machine
    print(f"\n413 for a 50 MB body to {path}: {took * 1000:.0f} ms")
