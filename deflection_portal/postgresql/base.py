"""PostgreSQL, with a client-side limit on how long the portal waits for an answer.

A database host that stops answering (frozen, partitioned, swapped to death) keeps its TCP
connections open: a persistent connection then waits in its health check or its next query
until gunicorn kills the worker. The server-side `statement_timeout` cannot help when the
server does not run, and TCP keepalives and `tcp_user_timeout` only notice a host whose
kernel has gone too. So each health check and each query is watched from this process: past
its deadline the connection's socket is shut down, the wait ends with a database error, and
the portal answers its branded 503 (DatabaseUnavailableMiddleware) within seconds.

Deadlines (settings): DATABASE_HEALTH_CHECK_TIMEOUT for the health check of a persistent
connection, and DATABASE_STATEMENT_TIMEOUT plus a grace second for every query (the server
cancels a slow query itself at DATABASE_STATEMENT_TIMEOUT; 0 turns both off, e.g. for
migrations).
"""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError
from django.db.backends.postgresql import base

logger = logging.getLogger(__name__)

GRACE_SECONDS = 1.0


@dataclass
class Watch:
    deadline: float
    fileno: int
    fired: bool = False


class Watchdog:
    """One thread per process that shuts down the socket of any watched wait past its
    deadline. Arming and disarming cost a dictionary write each."""

    TICK = 0.1

    def __init__(self):
        self._armed: dict[int, Watch] = {}
        self._lock = threading.Lock()
        self._pid = None

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # After a fork (gunicorn's workers) the parent's thread does not exist here.
            self._armed.clear()
            threading.Thread(target=self._run, name="db-watchdog", daemon=True).start()
            self._pid = os.getpid()

    @contextmanager
    def watch(self, fileno: int, seconds: float):
        """Within the block, a wait on `fileno` longer than `seconds` ends in an error. Yields
        a Watch whose `fired` says, during and after the block, whether it had to."""
        watch = Watch(time.monotonic() + seconds, fileno)
        if seconds <= 0 or fileno < 0:
            yield watch
            return
        self._ensure_thread()
        self._armed[id(watch)] = watch
        try:
            yield watch
        finally:
            self._armed.pop(id(watch), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            for watch in list(self._armed.values()):
                if now >= watch.deadline and not watch.fired:
                    watch.fired = True
                    self._shut(watch.fileno)

    @staticmethod
    def _shut(fileno: int) -> None:
        try:
            sock = socket.socket(fileno=os.dup(fileno))
        except OSError:
            return
        try:
            sock.shutdown(socket.SHUT_RDWR)
            logger.error("The database did not answer in time; its connection was cut.")
        except OSError:
            pass
        finally:
            sock.close()


watchdog = Watchdog()


def _socket_of(connection) -> int:
    try:
        return connection.pgconn.socket
    except Exception:  # closed or broken: nothing to watch
        return -1


def statement_seconds() -> float:
    return getattr(settings, "DATABASE_STATEMENT_TIMEOUT", 0)


def health_check_seconds() -> float:
    return getattr(settings, "DATABASE_HEALTH_CHECK_TIMEOUT", 0)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.insert(0, self._watched_execute)

    def _watched_execute(self, execute, sql, params, many, context):
        seconds = statement_seconds()
        if not seconds or self.connection is None:
            return execute(sql, params, many, context)
        with watchdog.watch(_socket_of(self.connection), seconds + GRACE_SECONDS):
            return execute(sql, params, many, context)

    def close_if_health_check_failed(self):
        """Django's health check, with a deadline: a database that does not answer `SELECT 1`
        in time is hanging, and a new connection would only wait again, so the request fails
        at once (the branded 503) instead of reconnecting."""
        if (
            self.pool
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        with watchdog.watch(_socket_of(self.connection), health_check_seconds()) as watch:
            usable = self.is_usable()
        if not usable:
            self.close()
            if watch.fired:
                raise OperationalError(
                    "The database did not answer the connection health check in time."
                )
        self.health_check_done = True
