"""Capacity holds under concurrency: races shown without the protection, then prevented.

Each test uses real threads with their own database connections against the real database
(a file for SQLite, the server for PostgreSQL), so the locking is the database's own.
"""

import threading
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, connections

from echo import services
from echo.models import RegistrationRequest, RequestState, Series
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 30
RUNS = 20


def race(targets, work) -> Counter:
    """Run work(target) in one thread per target, all released at once; count outcomes."""
    barrier = threading.Barrier(len(targets))
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def run(target):
        try:
            barrier.wait()
            outcome = work(target)
        except services.RegistrationError as error:
            outcome = error.code
        except OperationalError as error:
            outcome = f"database error: {error}"
        except Exception as error:  # any other failure is counted, never lost
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def last_three_seats() -> tuple[Series, list[RegistrationRequest]]:
    series = make_series(capacity=5)
    for _ in range(2):
        make_request(series=series, state=RequestState.APPROVED)
    return series, [make_request(series=series) for _ in range(THREADS)]


@pytest.fixture
def reviewer():
    return get_user_model().objects.create_user("reviewer", password="x" * 16, is_staff=True)


def approve(reviewer):
    def work(request):
        services.approve_request(registration_request=request, actor=reviewer)
        return "approved"

    return work


def test_thirty_approvals_for_the_last_three_seats_approve_exactly_three(reviewer):
    for run in range(RUNS):
        series, requests = last_three_seats()
        outcomes = race(requests, approve(reviewer))
        assert outcomes == Counter({"approved": 3, "series_full": THREADS - 3}), (run, outcomes)
        assert series.requests.holding_seats().count() == 5


def test_without_the_protection_the_race_is_real(reviewer, monkeypatch):
    """The control run: with the series lock (PostgreSQL) or the IMMEDIATE transaction mode
    (SQLite) taken away, concurrent approvals overbook or fail with lock errors."""

    def read_without_lock(pk):
        series = Series.objects.get(pk=pk)
        time.sleep(0.02)  # a reviewer's pause: lets the others read the same seat count
        return series

    monkeypatch.setattr(services, "_lock_series", read_without_lock)
    if connection.vendor == "sqlite":
        options = connections.settings["default"]["OPTIONS"]
        monkeypatch.setitem(options, "transaction_mode", "DEFERRED")
    broken_runs = []
    for _ in range(5):
        series, requests = last_three_seats()
        outcomes = race(requests, approve(reviewer))
        seats = series.requests.holding_seats().count()
        # Without IMMEDIATE, SQLite refuses the late writers ("database is locked", reported
        # as busy): decisions are lost instead of serialised.
        errors = sum(
            n
            for outcome, n in outcomes.items()
            if outcome == "busy" or outcome.startswith("database")
        )
        if seats > series.capacity or errors:
            broken_runs.append((seats, errors))
    assert broken_runs, "the unprotected approvals never raced: the control proves nothing"
    if connection.vendor == "postgresql":
        assert any(seats > 5 for seats, _ in broken_runs), broken_runs


def test_twenty_concurrent_submissions_of_one_email_leave_one_request():
    series = make_series()
    emails = [
        "".join(c.upper() if (i >> n) & 1 else c for n, c in enumerate("pat.ng@example.org"))
        for i in range(20)
    ]
    data = {
        "full_name": "Pat Ng",
        "organization": "Coos County",
        "role_title": "Sergeant",
        "sector": "law_enforcement",
        "county": "coos",
        "consent": True,
    }

    def work(email):
        result = services.submit_request(series=series, data={**data, "email": email}, answers={})
        return "duplicate" if result.duplicate else "created"

    outcomes = race(emails, work)
    assert outcomes == Counter({"created": 1, "duplicate": 19}), outcomes
    assert RegistrationRequest.objects.filter(series=series).count() == 1
