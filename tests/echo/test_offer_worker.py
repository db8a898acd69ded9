"""The offer worker killed with SIGKILL in the middle of a batch: after a restart every lapsed
offer is processed once and no seat is offered twice (each lapse and the offer it causes are
one transaction)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from echo.models import RegistrationRequest, RequestEvent, RequestState
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
SERIES = 120


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}:{port}/{s['NAME']}"


def worker(*args) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_mail_worker", "--interval", "0.1", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def lapsed_offers_with_waitlists():
    due = timezone.now() - timedelta(minutes=1)
    offers, waiting = [], []
    for _ in range(SERIES):
        series = make_series(capacity=1)
        offers.append(make_request(series=series, state=RequestState.OFFERED, offer_expires_at=due))
        waiting += [make_request(series=series, state=RequestState.WAITLISTED) for _ in range(2)]
    return offers, waiting


def lapsed_count(offers) -> int:
    return RegistrationRequest.objects.filter(
        pk__in=[o.pk for o in offers], state=RequestState.EXPIRED
    ).count()


def test_a_killed_worker_leaves_no_offer_processed_twice_and_none_lost():
    offers, waiting = lapsed_offers_with_waitlists()
    process = worker()
    try:
        deadline = time.monotonic() + 60
        while lapsed_count(offers) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    at_kill = lapsed_count(offers)
    assert 5 <= at_kill < SERIES, f"the kill did not land mid-batch ({at_kill} of {SERIES})"

    restarted = worker("--once")
    _out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err.decode()[-2000:]

    assert lapsed_count(offers) == SERIES
    for offer in offers:
        assert (
            RequestEvent.objects.filter(request=offer, to_state=RequestState.EXPIRED).count() == 1
        )
    for request in waiting:
        assert (
            RequestEvent.objects.filter(request=request, to_state=RequestState.OFFERED).count() <= 1
        )
    # Each series' freed seat went to exactly one person: its first on the waitlist.
    offered_now = RegistrationRequest.objects.filter(
        pk__in=[w.pk for w in waiting], state=RequestState.OFFERED
    )
    assert offered_now.count() == SERIES
    assert len({r.series_id for r in offered_now}) == SERIES
