"""A decision that waits on a locked series answers "busy, try again" within a few seconds."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from echo import services
from echo.models import RequestState, Series
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db(transaction=True)


def hold_lock(series_pk: int, held: threading.Event, release: threading.Event) -> None:
    try:
        with transaction.atomic():
            # Another reviewer's long transaction on the same series.
            Series.objects.select_for_update().get(pk=series_pk)
            if connection.vendor == "sqlite":
                Series.objects.filter(pk=series_pk).update(title="locked")
            held.set()
            release.wait(timeout=30)
    finally:
        connections.close_all()


def test_locked_series_answers_busy_instead_of_hanging(settings):
    settings.PORTAL_LOCK_TIMEOUT_SECONDS = 1
    series = make_series()
    request = make_request(series=series)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock, args=(series.pk, held, release))
    holder.start()
    try:
        assert held.wait(timeout=10)
        started = time.monotonic()
        with pytest.raises(services.RegistrationError) as caught:
            services.approve_request(registration_request=request, actor=None)
        waited = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert caught.value.code == "busy"
    assert "send it again in a moment" in caught.value.messages[0]
    # PostgreSQL waits the configured lock timeout; SQLite its busy timeout (5 s).
    assert waited < 8, waited
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    services.approve_request(registration_request=request, actor=None)
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
