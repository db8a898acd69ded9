"""A mail server that refuses or hangs never fails, loses or blocks a submission; stored emails
are all delivered once it is back, each exactly once."""

import statistics
import time
from collections import Counter

import pytest

from tests.smtp import SMTPServer

from .servers import HangingSMTPServer, manage, production_env, registration_data

pytestmark = pytest.mark.reliability

SUBMISSIONS = 200
FORM = "/echo/reliability/request/"
RECEIVED = "/echo/reliability/request/received/"
STAFF = "staff@reliability.example.org"
HIGH_LIMITS = {"PORTAL_REQUESTS_PER_10_MINUTES": "100000", "PORTAL_REQUESTS_PER_DAY": "100000"}


def submit_all(client, count: int, question_ids, prefix: str) -> list:
    from concurrent.futures import ThreadPoolExecutor

    def one(n):
        email = f"{prefix}{n}@reliability.example.org"
        return client.post_form(FORM, registration_data(email, question_ids=question_ids))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, range(count)))


def test_200_submissions_with_smtp_refusing_lose_nothing_and_are_delivered_once_after(
    throwaway_pg, fresh_database, seed, start_gunicorn, static_root
):
    smtp = SMTPServer()  # not started: connections to its port are refused
    mail_env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "3",
        # Try to deliver right after each submission too, so every request meets the refusal.
        "PORTAL_EMAIL_IMMEDIATE": "true",
    }
    url = throwaway_pg.url(fresh_database)
    server = start_gunicorn(database_url=url, **HIGH_LIMITS, **mail_env)
    started = time.monotonic()
    responses = submit_all(server.client(), SUBMISSIONS, seed["question_ids"], "mail")
    took = time.monotonic() - started

    statuses = Counter(response.status for response in responses)
    assert statuses == {302: SUBMISSIONS}
    assert all(r.headers["location"].endswith(RECEIVED) for r in responses)

    def count(sql, params=()):
        return throwaway_pg.query(fresh_database, sql, params)[0][0]

    mail_rows = "FROM echo_outgoingemail e JOIN echo_registrationrequest r ON e.request_id = r.id"
    mine = "r.email LIKE 'mail%%'"
    assert count(f"SELECT count(*) FROM echo_registrationrequest r WHERE {mine}") == SUBMISSIONS
    assert count(f"SELECT count(*) {mail_rows} WHERE {mine}") == 2 * SUBMISSIONS
    # Each was tried once, refused, and kept for a retry with its error.
    assert count(
        f"SELECT count(*) {mail_rows} WHERE {mine} AND status = 'queued' AND attempts = 1 "
        "AND last_error <> ''"
    ) == 2 * SUBMISSIONS  # fmt: skip

    worker_env = production_env(DATABASE_URL=url, DJANGO_STATIC_ROOT=str(static_root), **mail_env)
    # Still refusing: the worker keeps everything for later.
    assert "sent 0" in manage("run_mail_worker", "--once", env=worker_env)

    smtp.start()
    try:
        # The back-off (30 s after the first failure) has passed.
        throwaway_pg.execute(
            fresh_database,
            "UPDATE echo_outgoingemail SET next_attempt_at = now() - interval '1 second' "
            "WHERE status = 'queued'",
        )
        sent = 0
        for _ in range(5):  # at most 200 a round; the last round finds nothing left
            report = manage("run_mail_worker", "--once", env=worker_env)
            round_sent = int(report.split("sent ")[1].split(",")[0])
            sent += round_sent
            if round_sent == 0:
                break
        assert round_sent == 0, "the worker still had emails to send after 5 rounds"
        messages = list(smtp.messages)
    finally:
        smtp.stop()

    assert count(f"SELECT count(*) {mail_rows} WHERE {mine} AND status = 'sent'") == 400
    ids = [m["Message-ID"] for m in messages]
    assert len(ids) == len(set(ids)), "a message was delivered twice"
    recipients = Counter(m["To"] for m in messages)
    applicants = {f"mail{n}@reliability.example.org" for n in range(SUBMISSIONS)}
    assert {address: recipients[address] for address in applicants} == dict.fromkeys(applicants, 1)
    assert recipients[STAFF] == SUBMISSIONS
    print(
        f"\nsmtp refusing: {SUBMISSIONS} submissions in {took:.1f} s, all 302 "
        f"(median {statistics.median(r.seconds for r in responses):.3f} s); "
        f"{len(messages)} emails delivered after recovery, {len(set(ids))} unique Message-IDs"
    )


@pytest.fixture
def hanging_smtp():
    server = HangingSMTPServer()
    yield server
    server.stop()


@pytest.mark.parametrize("immediate", [False, True], ids=["queued", "immediate"])
def test_a_hanging_mail_server_never_blocks_a_submission(
    throwaway_pg, fresh_database, seed, start_gunicorn, hanging_smtp, immediate
):
    # Queued (production): the request never talks to the mail server, so a long timeout
    # changes nothing. Immediate: each stored email is tried once after the commit and given
    # up after EMAIL_TIMEOUT.
    timeout = 2 if immediate else 10
    server = start_gunicorn(
        database_url=throwaway_pg.url(fresh_database),
        workers=1,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(hanging_smtp.port),
        EMAIL_TIMEOUT=str(timeout),
        PORTAL_EMAIL_IMMEDIATE="true" if immediate else "false",
    )
    client = server.client()
    assert client.get(FORM).status == 200  # warm the worker up: imports, templates, connection
    email = f"hang-{'immediate' if immediate else 'queued'}@reliability.example.org"
    response = client.post_form(FORM, registration_data(email, question_ids=seed["question_ids"]))
    assert response.status == 302 and response.headers["location"].endswith(RECEIVED)
    emails = 2  # the applicant's receipt and the staff notice
    if immediate:
        assert hanging_smtp.connections >= 1
        assert timeout <= response.seconds < emails * timeout + 2, response.seconds
    else:
        assert hanging_smtp.connections == 0
        assert response.seconds < 3, response.seconds
    rows = throwaway_pg.query(
        fresh_database,
        "SELECT e.status, e.attempts FROM echo_outgoingemail e "
        "JOIN echo_registrationrequest r ON e.request_id = r.id WHERE r.email = %s",
        (email,),
    )
    attempts = 1 if immediate else 0
    assert sorted(rows) == [("queued", attempts)] * emails, "both emails kept for the worker"
    print(f"\nhanging smtp ({'immediate' if immediate else 'queued'}): {response.seconds:.2f} s")
