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


# --- Offers: accepts, withdrawals, staff approvals and expiries all at once --------------------

MIXED_THREADS = 50
MIXED_RUNS = 20
CAPACITY = 3


def crowded_series():
    """Capacity 3: one approval, one open offer, the rest contested: 8 approved people who may
    withdraw, 20 pending requests staff try to approve, 10 on the waitlist who may be offered
    seats and accept them."""
    from datetime import timedelta

    from django.utils import timezone

    series = make_series(capacity=CAPACITY, offer_hours=1)
    approved = [make_request(series=series, state=RequestState.APPROVED)]
    offered = make_request(
        series=series,
        state=RequestState.OFFERED,
        offer_expires_at=timezone.now() + timedelta(minutes=30),
    )
    pending = [make_request(series=series) for _ in range(20)]
    waitlist = [make_request(series=series, state=RequestState.WAITLISTED) for _ in range(10)]
    return series, approved[0], offered, pending, waitlist


def mixed_work(reviewer):
    from datetime import timedelta

    from django.utils import timezone

    def work(job):
        kind, request = job
        if kind == "approve":
            services.approve_request(registration_request=request, actor=reviewer)
            return "approved"
        if kind == "withdraw":
            services.withdraw_request(registration_request=request, actor=None)
            return "withdrawn"
        if kind == "accept":
            services.accept_offer(registration_request=request)
            return "accepted"
        lapsed = services.expire_due_offers(at=timezone.now() + timedelta(hours=2))
        return f"expired {min(lapsed, 1)}"

    return work


def mixed_jobs(approved, offered, pending, waitlist):
    jobs = [("approve", r) for r in pending[:20]]
    jobs += [("withdraw", approved), ("withdraw", offered)]
    jobs += [("accept", r) for r in [offered, *waitlist]]  # whoever holds an offer then
    jobs += [("expire", None)] * (MIXED_THREADS - len(jobs))
    assert len(jobs) == MIXED_THREADS
    return jobs


def seats_taken(series):
    approved = series.requests.filter(state=RequestState.APPROVED).count()
    return approved, series.requests.holding_seats().count()


def test_fifty_threads_of_accepts_withdrawals_approvals_and_expiries_never_exceed_capacity(
    reviewer,
):
    for run in range(MIXED_RUNS):
        series, approved, offered, pending, waitlist = crowded_series()
        outcomes = race(mixed_jobs(approved, offered, pending, waitlist), mixed_work(reviewer))
        unexpected = {
            outcome: n
            for outcome, n in outcomes.items()
            if outcome.startswith("database") or ":" in outcome
        }
        assert not unexpected, (run, outcomes)
        approved_count, holding = seats_taken(series)
        assert approved_count <= CAPACITY and holding <= CAPACITY, (run, outcomes, holding)
        # Every offer still open belongs to a request that was waitlisted and offered once.
        for request in series.requests.filter(state=RequestState.OFFERED):
            assert request.events.filter(to_state=RequestState.OFFERED).count() == 1


def test_without_the_lock_the_mixed_race_overbooks(reviewer, monkeypatch):
    """The control run of the test above: with the series lock (PostgreSQL) or the IMMEDIATE
    transaction mode (SQLite) taken away, the same mix overbooks or loses changes."""

    def read_without_lock(pk):
        series = Series.objects.get(pk=pk)
        time.sleep(0.02)
        return series

    monkeypatch.setattr(services, "_lock_series", read_without_lock)
    if connection.vendor == "sqlite":
        options = connections.settings["default"]["OPTIONS"]
        monkeypatch.setitem(options, "transaction_mode", "DEFERRED")
    broken = []
    for _ in range(5):
        series, approved, offered, pending, waitlist = crowded_series()
        outcomes = race(mixed_jobs(approved, offered, pending, waitlist), mixed_work(reviewer))
        approved_count, holding = seats_taken(series)
        errors = sum(
            n
            for outcome, n in outcomes.items()
            if outcome == "busy" or outcome.startswith("database")
        )
        if holding > CAPACITY or approved_count > CAPACITY or errors:
            broken.append((approved_count, holding, errors))
    assert broken, "the unprotected mix never raced: the control proves nothing"
    if connection.vendor == "postgresql":
        assert any(holding > CAPACITY for _, holding, _ in broken), broken


def test_two_clicks_on_invite_at_the_same_moment_send_each_email_once():
    from datetime import timedelta

    from django.utils import timezone

    from echo.models import OutgoingEmail

    old = make_series(slug="old-run", sessions_ahead=0)
    for n in range(5):
        services.join_interest_list(
            series=old,
            data={"full_name": f"P {n}", "email": f"p{n}@example.org", "county": "lane",
                  "sector": "other", "consent": True},
        )  # fmt: skip
    new = make_series(slug="new-run", previous_run=old)
    for _ in range(RUNS):
        Series.objects.filter(pk=new.pk).update(interest_invited_at=None)
        old.interest.update(invited_at=None)
        OutgoingEmail.objects.filter(kind="interest_invite").delete()

        def work(_):
            return services.invite_interest_list(series=new, user=None)

        outcomes = race([1, 2], work)
        assert outcomes == Counter({5: 1, "already_invited": 1}), outcomes
        assert OutgoingEmail.objects.filter(kind="interest_invite").count() == 5
    assert timezone.now() - Series.objects.get(pk=new.pk).interest_invited_at < timedelta(minutes=5)
