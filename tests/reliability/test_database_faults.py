"""PostgreSQL restarted under load, and stopped: gunicorn with production settings keeps
answering, never loses an accepted submission, and recovers without a restart."""

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from .servers import registration_data

pytestmark = pytest.mark.reliability

RATE = 20  # requests per second
DURATION = 30  # seconds
RESTART_AT = 12  # seconds into the load
BRANDED_503 = "The portal is briefly unavailable"
RECEIVED = "/echo/reliability/request/received/"
# Known bug (commit 0e97650): PublicPageCacheMiddleware reads the database cache before the
# view runs, so while the database is down an anonymous GET of a public page raises
# OperationalError outside the view; DatabaseUnavailableMiddleware.process_exception never
# sees it and the visitor gets a bare 500 instead of the branded 503.
PAGE_CACHE_500 = (
    "known bug: the page cache middleware reads the database cache outside the view, so "
    "public GETs answer 500 instead of the branded 503 while the database is down"
)
HIGH_LIMITS = {"PORTAL_REQUESTS_PER_10_MINUTES": "100000", "PORTAL_REQUESTS_PER_DAY": "100000"}


def pages(token: str) -> list[str]:
    """Public pages that all read the database."""
    return [
        "/",
        "/echo/",
        "/echo/reliability/",
        "/echo/reliability/request/",
        "/library/",
        "/library/search/?q=deflection",
        "/library/search/?q=housing&sort=date",
        f"/echo/requests/{token}/",
    ]


@dataclass
class Outcome:
    kind: str
    path: str
    started: float
    finished: float
    status: int | None = None
    location: str = ""
    retry_after: str = ""
    branded: bool = False
    error: str = ""
    email: str = ""

    @property
    def ok(self) -> bool:
        if self.kind == "POST":
            return self.status == 302 and self.location.endswith(RECEIVED)
        return self.status == 200


def send(client, kind: str, path: str, email: str, question_ids) -> Outcome:
    outcome = Outcome(kind, path, time.monotonic(), 0.0, email=email)
    try:
        if kind == "POST":
            response = client.post_form(path, registration_data(email, question_ids=question_ids))
        else:
            response = client.get(path)
        outcome.status = response.status
        outcome.location = response.headers.get("location", "")
        outcome.retry_after = response.headers.get("retry-after", "")
        outcome.branded = BRANDED_503 in response.text
    except Exception as exc:  # connection refused, reset, timeout: a failed request
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.finished = time.monotonic()
    return outcome


def test_postgres_restart_mid_load_fails_no_request_after_it_is_back_and_loses_nothing(
    throwaway_pg, fresh_database, seed, start_gunicorn
):
    server = start_gunicorn(database_url=throwaway_pg.url(fresh_database), **HIGH_LIMITS)
    client = server.client()
    get_paths = pages(seed["token"])
    for path in get_paths:  # warm up: every page answers before the fault
        assert client.get(path).status == 200, path

    window = {}

    def restart():
        window["began"] = time.monotonic()
        throwaway_pg.restart("fast")
        window["ended"] = time.monotonic()

    futures = []
    t0 = time.monotonic()
    restarter = threading.Timer(RESTART_AT, restart)
    restarter.start()
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            for n in range(RATE * DURATION):
                delay = t0 + n / RATE - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if n % 5 in (1, 3):  # 40 % registrations, 60 % pages
                    kind, path = "POST", "/echo/reliability/request/"
                else:
                    kind, path = "GET", get_paths[n % len(get_paths)]
                email = f"load{n}@reliability.example.org"
                futures.append(pool.submit(send, client, kind, path, email, seed["question_ids"]))
            sent_for = time.monotonic() - t0
            outcomes = [future.result() for future in futures]
    finally:
        restarter.join()

    began, ended = window["began"], window["ended"]
    before = [o for o in outcomes if o.finished < began]
    during = [o for o in outcomes if o.finished >= began and o.started <= ended]
    after = [o for o in outcomes if o.started > ended]
    failed_during = [o for o in during if not o.ok]
    latencies = [o.finished - o.started for o in outcomes]
    print(
        f"\nload: {len(outcomes)} requests in {sent_for:.1f} s "
        f"({len(outcomes) / sent_for:.1f}/s); restart took {ended - began:.2f} s; "
        f"{len(before)} before, {len(during)} during ({len(failed_during)} failed: "
        f"{sorted({o.status or o.error[:40] for o in failed_during}, key=str)}), "
        f"{len(after)} after; latency median {statistics.median(latencies):.3f} s, "
        f"max {max(latencies):.3f} s"
    )

    assert len(outcomes) == RATE * DURATION
    assert sent_for < DURATION + 1.5, "the load generator fell behind the 20 requests/s pace"
    assert len(after) >= RATE * 5, "too little load after the restart to show recovery"
    assert [o for o in before if not o.ok] == []
    assert [o for o in after if not o.ok] == [], "requests failed after PostgreSQL was back"

    accepted = {o.email for o in outcomes if o.kind == "POST" and o.ok}
    stored = {
        row[0]
        for row in throwaway_pg.query(
            fresh_database,
            "SELECT email FROM echo_registrationrequest WHERE email LIKE 'load%%'",
        )
    }
    assert len(accepted) >= 100
    assert accepted - stored == set(), "accepted submissions missing from the database"
    assert "WORKER TIMEOUT" not in server.log_text()
    # Inside the restart window a request may fail, but only with the branded 503.
    unbranded = [o for o in failed_during if not (o.status == 503 and o.branded)]
    if unbranded and all(o.status == 500 and o.kind == "GET" for o in unbranded):
        pytest.xfail(PAGE_CACHE_500)
    assert unbranded == []
    assert all(int(o.retry_after) > 0 for o in failed_during)


def test_database_stopped_answers_branded_503_quickly_and_recovers_without_restart(
    throwaway_pg, fresh_database, seed, start_gunicorn
):
    server = start_gunicorn(database_url=throwaway_pg.url(fresh_database), **HIGH_LIMITS)
    client = server.client()
    get_paths = pages(seed["token"])
    for path in get_paths:  # every worker holds a live, persistent connection
        assert client.get(path).status == 200, path
    master_pid = server.process.pid

    throwaway_pg.stop("fast")
    # Past the interval in which a worker trusts its copy of the content version
    # (PORTAL_PAGE_CACHE_VERSION_SECONDS, 1 s), every request needs the database.
    time.sleep(1.2)
    slowest = 0.0
    bare_500 = []
    try:
        for path in get_paths:
            response = client.get(path)
            slowest = max(slowest, response.seconds)
            if response.status == 500:
                bare_500.append(path)
                continue
            assert response.status == 503, (path, response.status)
            assert response.seconds < 3.5, (path, response.seconds)
            assert int(response.headers["retry-after"]) > 0
            assert BRANDED_503 in response.text
            assert response.headers.get("cache-control") == "no-store"
        response = client.post_form(
            "/echo/reliability/request/",
            registration_data("down@reliability.example.org", question_ids=seed["question_ids"]),
        )
        assert response.status == 503 and response.seconds < 3.5
        assert BRANDED_503 in response.text
    finally:
        throwaway_pg.start()

    print(f"\ndatabase stopped: slowest 503 {slowest:.3f} s over {len(get_paths)} pages")
    assert server.process.poll() is None and server.process.pid == master_pid
    for path in get_paths * 2:  # both workers, each on a fresh connection
        response = client.get(path)
        assert response.status == 200, (path, response.status)
    response = client.post_form(
        "/echo/reliability/request/",
        registration_data("back@reliability.example.org", question_ids=seed["question_ids"]),
    )
    assert response.status == 302 and response.headers["location"].endswith(RECEIVED)
    assert throwaway_pg.query(
        fresh_database,
        "SELECT count(*) FROM echo_registrationrequest WHERE email = %s",
        ("back@reliability.example.org",),
    ) == [(1,)]
    if bare_500:
        pytest.xfail(f"{PAGE_CACHE_500}: {bare_500}")


def test_database_hanging_answers_branded_503_within_the_connect_timeout(
    throwaway_pg, fresh_database, seed, start_gunicorn
):
    """The database host hangs (every PostgreSQL process stopped): a request must still get
    the branded 503 within 3.5 s, for a worker with a fresh connection and for a worker that
    held a persistent one."""
    server = start_gunicorn(database_url=throwaway_pg.url(fresh_database), **HIGH_LIMITS)
    client = server.client()
    for _ in range(4):  # both workers hold a live, persistent connection
        assert client.get("/echo/").status == 200
    frozen = throwaway_pg.freeze()
    try:
        # A cached page is served without the database while the worker still trusts its
        # copy of the content version (PORTAL_PAGE_CACHE_VERSION_SECONDS, 1 s): past that,
        # every request needs the database.
        time.sleep(1.2)
        outcomes = []
        for path in ["/echo/", "/library/", "/echo/reliability/"]:
            started = time.monotonic()
            try:
                response = client.get(path, timeout=6)
                outcomes.append((path, response.status, BRANDED_503 in response.text))
            except TimeoutError:
                outcomes.append((path, "no answer in 6 s", False))
            outcomes[-1] += (round(time.monotonic() - started, 2),)
    finally:
        throwaway_pg.thaw(frozen)
    print(f"\ndatabase hanging: {outcomes}")
    assert [o for o in outcomes if not (o[1] == 503 and o[2] and o[3] < 3.5)] == []
    for path in ["/echo/", "/library/"] * 2:
        assert client.get(path).status == 200


def test_a_query_to_a_database_that_stops_answering_ends_at_the_client_side_deadline(
    throwaway_pg, fresh_database, settings, django_db_blocker
):
    """The server cannot cancel a query when it does not run: the backend's watchdog cuts
    the connection at DATABASE_STATEMENT_TIMEOUT plus a second."""
    import os
    import signal

    from django.contrib.postgres.signals import register_type_handlers
    from django.db import OperationalError, connections
    from django.db.backends.signals import connection_created

    from deflection_portal.postgresql.base import DatabaseWrapper

    settings.DATABASE_STATEMENT_TIMEOUT = 1
    config = connections.configure_settings(
        {
            "default": {
                "ENGINE": "deflection_portal.postgresql",
                "NAME": fresh_database,
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": str(throwaway_pg.port),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )["default"]
    wrapper = DatabaseWrapper(config, alias="watched")
    # A connection of this test's own, to the throwaway cluster, outside Django's handler
    # (django.contrib.postgres looks every new connection up there by its alias).
    django_db_blocker.unblock()
    connection_created.disconnect(register_type_handlers)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        os.kill(backend, signal.SIGSTOP)  # this connection's server process hangs
        try:
            started = time.monotonic()
            with pytest.raises(OperationalError), wrapper.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM echo_series")
            took = time.monotonic() - started
        finally:
            os.kill(backend, signal.SIGCONT)
        print(f"\nquery to a hanging server process: cut after {took:.2f} s")
        assert 1.9 <= took < 3.5, took
        # A query that answers in time is untouched.
        wrapper.close()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.5), 1")
            assert cursor.fetchone()[1] == 1
    finally:
        wrapper.close()
        connection_created.connect(register_type_handlers)
        django_db_blocker.restore()
