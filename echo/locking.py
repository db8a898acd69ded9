"""One way to lock series rows for a change to their requests, with a bounded wait.

`lock_series` must run inside `transaction.atomic()`. It locks the rows in primary-key order
(one order everywhere, so two changes never deadlock) and gives up after
PORTAL_LOCK_TIMEOUT_SECONDS with `LockTimeout`, which callers turn into "busy, try again".

PostgreSQL: `SELECT … FOR UPDATE` under a local `lock_timeout`. SQLite: the IMMEDIATE
transaction mode (settings) already holds the database's write lock for the whole
transaction, and its busy timeout bounds the wait; `FOR UPDATE` is a no-op there.
"""

from django.conf import settings
from django.db import OperationalError, connection

from .models import Series


class LockTimeout(Exception):
    """Waiting for a lock took longer than PORTAL_LOCK_TIMEOUT_SECONDS."""


def lock_series(*series_ids: int) -> list[Series]:
    """Lock the given series (sorted by primary key) until the transaction ends."""
    ids = sorted(set(series_ids))
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                milliseconds = int(settings.PORTAL_LOCK_TIMEOUT_SECONDS * 1000)
                cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
        return list(Series.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    except OperationalError as error:
        if is_lock_timeout(error):
            raise LockTimeout(str(error)) from error
        raise


def is_lock_timeout(error: OperationalError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    return "database is locked" in str(error)  # SQLite's busy timeout
