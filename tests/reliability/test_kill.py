"""kill -9 in the middle of the work: a gunicorn worker in the middle of a submission, and the
mail worker in the middle of sending. Nothing is lost and nothing is sent twice."""

import asyncio
import os
import signal
import subprocess
import threading
import time
from collections import Counter
from email import message_from_bytes

import psycopg
import pytest
from aiosmtpd.controller import Controller

from tests.smtp import free_port

from .conftest import BEHIND_PROXY
from .servers import PYTHON, ROOT, manage, production_env, registration_data

pytestmark = pytest.mark.reliability

FORM = "/echo/reliability/request/"
RECEIVED = "/echo/reliability/request/received/"


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def worker_pids(master_pid: int) -> list[int]:
    output = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True)
    return [int(pid) for pid in output.stdout.split()]


def test_a_worker_killed_in_the_middle_of_a_submission_stores_nothing_and_the_retry_is_stored_once(
    throwaway_pg, fresh_database, seed, start_gunicorn, start_proxy
):
    from .test_proxy import post_form

    server = start_gunicorn(
        database_url=throwaway_pg.url(fresh_database),
        workers=1,
        PORTAL_LOCK_TIMEOUT_SECONDS="30",
        **BEHIND_PROXY,
    )
    proxy = start_proxy(server.port)
    assert proxy.request("GET", FORM).status == 200
    email = "killed@reliability.example.org"

    # Hold the series' row lock, so the submission stops inside its transaction.
    holder = psycopg.connect(throwaway_pg.url(fresh_database))
    holder.execute("SELECT id FROM echo_series WHERE slug = 'reliability' FOR UPDATE")
    outcome = {}

    def submit():
        data = registration_data(email, question_ids=seed["question_ids"])
        outcome["reply"] = post_form(proxy, FORM, data)

    thread = threading.Thread(target=submit)
    thread.start()
    try:
        waiting = wait_until(
            lambda: throwaway_pg.query(
                fresh_database,
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'",
            ),
            timeout=20,
            what="the submission to wait for the series lock",
        )
        assert len(waiting) == 1
        [victim] = worker_pids(server.process.pid)
        os.kill(victim, signal.SIGKILL)
        thread.join(timeout=30)
    finally:
        holder.rollback()
        holder.close()

    reply = outcome["reply"]
    # nginx says gunicorn failed, with the branded page, and does not send the POST again.
    assert reply.status == 502 and "briefly unavailable" in reply.text
    count = "SELECT count(*) FROM echo_registrationrequest WHERE email = %s"
    assert throwaway_pg.query(fresh_database, count, (email,)) == [(0,)]

    # gunicorn replaces the worker; the person sends the form again, and it is stored once.
    wait_until(lambda: worker_pids(server.process.pid) not in ([], [victim]), 30, "a new worker")
    wait_until(lambda: proxy.request("GET", FORM).status == 200, 30, "the new worker")
    again = post_form(proxy, FORM, registration_data(email, question_ids=seed["question_ids"]))
    assert again.status == 302 and again.headers["location"].endswith(RECEIVED)
    assert throwaway_pg.query(fresh_database, count, (email,)) == [(1,)]
    emails = throwaway_pg.query(
        fresh_database,
        "SELECT e.kind FROM echo_outgoingemail e JOIN echo_registrationrequest r "
        "ON e.request_id = r.id WHERE r.email = %s ORDER BY e.kind",
        (email,),
    )
    assert len(emails) == 2, emails  # the receipt and the staff notice, once each
    print(f"\nkill -9 mid-submission: client got {reply.status}, 0 rows; retry stored once")


class StallingRecorder:
    """Accepts messages, except that it stalls on the second one until released and then
    refuses it: the mail worker is killed while it waits for the server's answer."""

    def __init__(self):
        self.messages = []
        self.seen = 0
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == 2:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Not accepted: the client went away"
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


def test_the_mail_worker_killed_in_the_middle_of_a_send_loses_nothing_and_sends_nothing_twice(
    throwaway_pg, fresh_database, seed, start_gunicorn, static_root
):
    url = throwaway_pg.url(fresh_database)
    server = start_gunicorn(database_url=url)
    client = server.client()
    for n in range(2):  # 2 submissions: 4 stored emails (receipt and staff notice each)
        email = f"mailkill{n}@reliability.example.org"
        reply = client.post_form(FORM, registration_data(email, question_ids=seed["question_ids"]))
        assert reply.status == 302

    def rows():
        return throwaway_pg.query(
            fresh_database,
            "SELECT e.id, e.status, e.attempts FROM echo_outgoingemail e "
            "JOIN echo_registrationrequest r ON e.request_id = r.id "
            "WHERE r.email LIKE 'mailkill%%' ORDER BY e.id",
        )

    assert [status for _, status, _ in rows()] == ["queued"] * 4
    # Emails stored before this test (the seeded request's) are not part of it.
    throwaway_pg.execute(
        fresh_database,
        "UPDATE echo_outgoingemail SET status = 'sent' WHERE id NOT IN "
        "(SELECT e.id FROM echo_outgoingemail e JOIN echo_registrationrequest r "
        "ON e.request_id = r.id WHERE r.email LIKE 'mailkill%%')",
    )

    recorder = StallingRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    env = production_env(
        DATABASE_URL=url,
        DJANGO_STATIC_ROOT=str(static_root),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="60",
    )
    try:
        worker = subprocess.Popen(
            [PYTHON, "manage.py", "run_mail_worker", "--interval", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert recorder.stalled.wait(timeout=60), "the worker never reached the 2nd email"
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        recorder.release.set()

        after_kill = rows()
        statuses = Counter(status for _, status, _ in after_kill)
        # The first was accepted and recorded as sent; the one in flight is claimed, not sent;
        # the rest were never touched.
        assert statuses == {"sent": 1, "queued": 3}
        assert [attempts for _, _, attempts in after_kill] == [1, 1, 0, 0]
        assert len(recorder.messages) == 1

        # Its claim lease (5 minutes) runs out; the next round delivers what is left.
        throwaway_pg.execute(
            fresh_database,
            "UPDATE echo_outgoingemail SET next_attempt_at = now() - interval '1 second' "
            "WHERE status = 'queued'",
        )
        report = manage("run_mail_worker", "--once", env=env)
    finally:
        controller.stop()

    assert "sent 3," in report, report  # "offers lapsed 0; sent 3, retrying 0, …"
    assert [status for _, status, _ in rows()] == ["sent"] * 4
    ids = [message["Message-ID"] for message in recorder.messages]
    assert len(ids) == 4 and len(set(ids)) == 4, "a message was lost or sent twice"
    print(f"\nkill -9 mid-send: 4 stored emails, {len(ids)} delivered, {len(set(ids))} unique")
