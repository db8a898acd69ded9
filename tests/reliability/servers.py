"""Real processes for the fault tests: a throwaway PostgreSQL cluster, gunicorn with production
settings, a mail server that never answers, and a small HTTP client.

Everything listens on 127.0.0.1 only, on ports picked free at start. The machine's own
PostgreSQL cluster is never touched: the throwaway one lives in a temp directory, on its own
port, and is removed afterwards.
"""

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
PG_BIN = Path(os.environ.get("PORTAL_PG_BIN", "/usr/lib/postgresql/15/bin"))

# The production CSRF cookie name (settings: "__Host-" cookies with debug off). Django accepts
# any 32-character secret in the cookie with the same value as the form token.
CSRF_COOKIE = "__Host-csrftoken"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- PostgreSQL --------------------------------------------------------------------------


class ThrowawayPostgres:
    """A PostgreSQL cluster in a temp directory on a spare loopback port.

    The tests run as root, and PostgreSQL refuses to run as root: the cluster then belongs to
    the `postgres` system user and every pg_ctl call goes through `runuser`.
    """

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="portal-reliability-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")

    def _command(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self._command(*args), capture_output=True, text=True, timeout=timeout, cwd=self.dir
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                f"{result.stderr}\n{tail(self.log)}"
            )
        return result

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
            "-o", options, *extra, action,
        )  # fmt: skip

    def init(self) -> None:
        self._run(
            str(PG_BIN / "initdb"),
            "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self._pg_ctl("restart", "-m", mode)

    @property
    def running(self) -> bool:
        status = subprocess.run(
            self._command(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"),
            capture_output=True,
            cwd=self.dir,
        )
        return status.returncode == 0

    def ensure_running(self) -> None:
        if not self.running:
            self.start()

    def _cluster_pids(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(
            ["pgrep", "-P", str(postmaster)], capture_output=True, text=True
        ).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> list[int]:
        """Stop every process of this cluster (SIGSTOP): connections are accepted by the
        kernel but nothing ever answers, like a database host that hangs."""
        pids = self._cluster_pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        return pids

    def thaw(self, pids: list[int]) -> None:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5)

    def create_database(self, name: str, template: str | None = None) -> str:
        with self.connect() as connection:
            if template:
                connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def query(self, database: str, sql: str, params=()) -> list[tuple]:
        with self.connect(database) as connection:
            return connection.execute(sql, params).fetchall()

    def execute(self, database: str, sql: str, params=()) -> int:
        with self.connect(database) as connection:
            return connection.execute(sql, params).rowcount

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.thaw(self._cluster_pids())  # in case a test stopped there while frozen
            if self.data.exists() and self.running:
                self.stop("immediate")
        except Exception:
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():
                try:
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
                except (OSError, ValueError):
                    pass
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- The portal's processes ------------------------------------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    """Environment for manage.py and gunicorn: debug off, every security setting on, plain
    HTTP on loopback (no SSL redirect)."""
    from django.conf import settings

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "EMAIL_", "GUNICORN_", "DATABASE_"))
        and key not in {"REDIS_URL", "CI_DATABASE_URL"}
    }
    env.update(
        {
            "DJANGO_DEBUG": "false",
            # The test process signs form start times with its own key: gunicorn shares it.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-4000:]}"
        )
    return result.stdout


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py on a spare loopback port."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, log_dir: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{self.port}.log"
        self._log_file = open(self.log, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [
                GUNICORN, "--config", "gunicorn.conf.py",
                "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
            ],
            cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_port(self.port, timeout=30, process=self.process)
        except Exception:
            self.stop()
            raise RuntimeError(f"gunicorn did not start:\n{tail(self.log)}") from None

    def client(self, source: str = "127.0.0.1") -> "Client":
        return Client(self.port, source=source)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            # Quick shutdown: a graceful one waits for idle sync workers to wake up.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log_file.close()


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


@dataclass
class Client:
    """A plain HTTP client for one gunicorn: a new connection per request, no redirects
    followed, a CSRF cookie and token like a browser that has shown the form."""

    port: int
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))
    # Another loopback address (127.0.0.2 ...) to come from a different client IP.
    source: str = "127.0.0.1"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers=None, timeout=15
    ) -> Response:
        started = time.monotonic()
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0)
        )
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            data = response.read()
            return Response(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                data,
                time.monotonic() - started,
            )
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, data: dict, **kwargs) -> Response:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{CSRF_COOKIE}={self.csrf}",
            "Origin": f"http://127.0.0.1:{self.port}",
        }
        return self.request("POST", path, body=body, headers=headers, **kwargs)


def registration_data(email: str, *, question_ids=(), started: float | None = None) -> dict:
    """A valid registration form, shown a minute ago."""
    from echo.forms import sign_started

    data = {
        "full_name": "Reliability Tester",
        "email": email,
        "phone": "",
        "organization": "Lane County",
        "role_title": "Coordinator",
        "sector": "county_government",
        "county": "lane",
        "consent": "on",
        "form_started": sign_started(started if started is not None else time.time() - 60),
    }
    for pk in question_ids:
        data[f"question_{pk}"] = "We run a pre-arrest deflection program with the county."
    return data


# --- A mail server that accepts connections and never says a word ----------------------------


class HangingSMTPServer:
    """Accepts TCP connections on loopback and never sends the SMTP greeting."""

    def __init__(self):
        self.port = free_port()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            self._held.append(conn)  # held open, silent, until stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for conn in self._held:
            conn.close()
        self._sock.close()


def message_ids(messages) -> list[str]:
    return [message["Message-ID"] for message in messages]


def first_response_line(port: int, head: bytes, body_part: bytes, timeout: float = 10) -> bytes:
    """Send a request head and the start of its body, then read the status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            sock.sendall(body_part)
        except OSError:  # the server may answer and close before taking the body
            pass
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.split(b"\r\n", 1)[0]
