"""The benchmark: `make bench` (or `.venv/bin/python bench/run.py`).

Installs wrk from Debian if missing, starts PostgreSQL (.ci/postgres.sh), builds a fresh
`portal_bench` database with the large data set (bench/load_data.py), and starts two gunicorn
servers with the production settings on free loopback ports, 2 workers each: one with the
page cache on (the default), one with PORTAL_PAGE_CACHE_SECONDS=0. wrk then drives the floor
endpoint, the public pages (cached and uncached) and request submissions. The table
(requests/s, p50/p95/p99, ratio to the floor measured in the same run), the issue's targets,
each worker's peak RSS and the search's EXPLAIN are printed and written to
bench/results/<UTC date-time>.md and bench/results/latest.md.

Traffic goes to 127.0.0.1 only. gunicorn is stopped however the run ends; PostgreSQL is left
running. Environment knobs: BENCH_SECONDS (per endpoint, default 10), BENCH_WARMUP_SECONDS
(default 2), BENCH_DATABASE (default portal_bench).
"""

import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WRK_DIR = BENCH / "wrk"
RESULTS = BENCH / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")

HOST = "127.0.0.1"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
# Signed form start times for the submission runs: each stores one request.
STARTED_TOKENS = int(os.environ.get("BENCH_STARTED_TOKENS", "20000"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "2"))
DB_NAME = os.environ.get("BENCH_DATABASE", "portal_bench")
DB_USER = DB_PASSWORD = "portal"
PG_PORT = 5432
WORKERS = 2
PAGE_CONNECTIONS = 16
SUBMIT_CONNECTIONS = 10
THREADS = 2
CSRF_COOKIE = "__Host-csrftoken"  # the production name (debug off)

# The issue's targets.
CACHED_MIN_RATIO = 0.7
UNCACHED_P95_MS = 50
SUBMIT_P99_MS = 300
RSS_MAX_MB = 150
RSS_AFTER_REQUESTS = 20_000

BOLD_FAIL = "MISSED"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Setup -------------------------------------------------------------------------------


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        raise SystemExit("wrk is not installed; as root: apt-get install -y wrk")
    log("installing wrk from Debian")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL
    )


def ensure_postgres() -> None:
    if os.geteuid() == 0:
        log("starting PostgreSQL (.ci/postgres.sh)")
        subprocess.run([str(ROOT / ".ci" / "postgres.sh")], check=True, cwd=ROOT)
    else:
        log("not root: assuming PostgreSQL runs on 127.0.0.1:5432 with the role portal/portal")


def database_url(name: str) -> str:
    return f"postgres://{DB_USER}:{DB_PASSWORD}@{HOST}:{PG_PORT}/{name}"


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def db_scalar(sql: str):
    import psycopg

    with psycopg.connect(database_url(DB_NAME)) as conn:
        return conn.execute(sql).fetchone()[0]


def bench_env(static_root: str, secret_key: str) -> dict:
    """The production settings (debug off, every security setting on) on plain loopback
    HTTP, with the form's abuse limits raised so that one client address may submit all the
    benchmark's requests."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "deflection_portal.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "false",
        "DJANGO_STATIC_ROOT": static_root,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url(DB_NAME),
        "EMAIL_HOST": "",
        "EMAIL_BACKEND": "",
        "PORTAL_EMAIL_IMMEDIATE": "false",
        "PORTAL_BENCH_FLOOR": "true",
        "PORTAL_REQUESTS_PER_10_MINUTES": "1000000000",
        "PORTAL_REQUESTS_PER_DAY": "1000000000",
        "PORTAL_FORM_MIN_FILL_SECONDS": "3",
        "PORTAL_TRUSTED_PROXY_COUNT": "0",
        "REDIS_URL": "",
        "GUNICORN_WORKERS": str(WORKERS),
        "GUNICORN_THREADS": "1",
        # No recycling: each worker serves every request it gets, so its RSS shows any leak.
        "GUNICORN_MAX_REQUESTS": "0",
    }


def manage(env: dict, *args: str) -> None:
    # Loading data and migrating may take longer than a page's statement limit.
    env = {**env, "DATABASE_STATEMENT_TIMEOUT": "0"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def python_json(env: dict, script: Path, prefix: str, *args: str) -> dict:
    env = {**env, "DATABASE_STATEMENT_TIMEOUT": "0"}
    out = subprocess.run(
        [PYTHON, str(script), *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        if line.startswith(prefix + " "):
            return json.loads(line[len(prefix) + 1 :])
    raise RuntimeError(f"{script.name} printed no {prefix} line:\n{out}")


# --- gunicorn ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn (master + WORKERS workers) on a free loopback port."""

    def __init__(self, name: str, env: dict, logdir: Path):
        self.name = name
        self.env = env
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.access_log = logdir / f"{name}-access.log"
        self.error_log = logdir / f"{name}-error.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**self.env, "GUNICORN_ACCESS_LOG": str(self.access_log)}
        with open(self.error_log, "wb") as errors:
            self.process = subprocess.Popen(
                [
                    GUNICORN,
                    "--config",
                    "gunicorn.conf.py",
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--workers",
                    str(WORKERS),
                    # The worker's pid first, to count the requests each worker served.
                    "--access-logformat",
                    '%(p)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms',
                ],
                cwd=ROOT,
                env=env,
                stdout=errors,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.error_log.read_text()}")
            if len(self.worker_pids()) == WORKERS:
                try:
                    if fetch(self.base + "/bench/floor/")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.name} did not answer in {timeout} s")

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def worker_memory(self) -> list[dict]:
        # gunicorn writes the pid atom as "<pid>".
        served = Counter(
            line.split(" ", 1)[0].strip("<>")
            for line in self.access_log.read_text().splitlines()
            if line
        )
        rows = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            fields = dict(re.findall(r"^(Vm\w+):\s+(\d+) kB", status, re.M))
            rows.append(
                {
                    "pid": pid,
                    "requests": served.get(str(pid), 0),
                    "hwm_mb": int(fields["VmHWM"]) / 1024,
                    "rss_mb": int(fields["VmRSS"]) / 1024,
                }
            )
        return rows

    def requests_served(self) -> int:
        return sum(1 for line in self.access_log.read_text().splitlines() if line)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    assert url.startswith(f"http://{HOST}:")
    request = urllib.request.Request(url, data=data, headers=headers or {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# --- wrk ---------------------------------------------------------------------------------


def wrk(url: str, *, connections: int, seconds: int, script: str, env: dict | None = None):
    assert url.startswith(f"http://{HOST}:")
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(WRK_DIR / script),
        url,
    ]
    out = subprocess.run(
        command,
        env={
            **os.environ,
            "BENCH_WRK_DIR": str(WRK_DIR),
            "BENCH_WRK_THREADS": str(THREADS),
            **(env or {}),
        },
        check=True,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    for line in out.splitlines():
        if line.startswith("BENCH-RESULT "):
            result = json.loads(line[len("BENCH-RESULT ") :])
            result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
            result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
            return result
    raise RuntimeError(f"wrk printed no result line:\n{out}")


def measure(name: str, url: str, cache: str, *, connections=PAGE_CONNECTIONS, **kwargs) -> dict:
    wrk(url, connections=connections, seconds=WARMUP_SECONDS, **kwargs)
    result = wrk(url, connections=connections, seconds=SECONDS, **kwargs)
    result.update(name=name, path=url.split(str(HOST), 1)[1].split("/", 1)[1], cache=cache)
    result["path"] = "/" + result["path"]
    log(
        f"{name:<28} {cache:<8} {result['rps']:8.0f} req/s  p50 {result['p50_us'] / 1000:6.1f}"
        f"  p95 {result['p95_us'] / 1000:6.1f}  p99 {result['p99_us'] / 1000:6.1f} ms"
        f"  errors {result['errors']}"
    )
    return result


def check_page(server: Server, path: str, expect_cache: str) -> str:
    """GET a page twice; the second answer's X-Portal-Cache tells whether it was cached."""
    status, _, _ = fetch(server.base + path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status} on {server.name}")
    status, headers, _ = fetch(server.base + path)
    seen = headers.get("X-Portal-Cache") or "off"
    if seen != expect_cache:
        log(f"note: {path} on {server.name}: X-Portal-Cache {seen!r}, expected {expect_cache!r}")
    return seen


def submission_data(server: Server, forms: list[dict], env: dict, tag: str) -> str:
    """GET a form for the CSRF cookie and token; build each series' POST body (all but the
    email and the start time), and sign STARTED_TOKENS start times an hour ago: each stores
    one request, so every POST takes its own. Returns the Lua data file's text."""
    status, headers, body = fetch(server.base + forms[0]["path"])
    if status != 200:
        raise RuntimeError(f"request form answered {status}")
    cookie = next(
        value.split(";", 1)[0]
        for value in headers.get_all("Set-Cookie") or []
        if value.startswith(CSRF_COOKIE + "=")
    )
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    started = signed_started(env, STARTED_TOKENS)

    def lua(text: str) -> str:
        return json.dumps(text)  # a JSON string is a valid Lua string literal here (ASCII)

    entries = []
    for form in forms:
        fields = {
            "csrfmiddlewaretoken": token,
            "full_name": "Bench Submitter",
            "phone": "541-555-0100",
            "organization": "Lane County Deflection",
            "role_title": "Program coordinator",
            "sector": "county_government",
            "county": "lane",
            "consent": "on",
            **form["answers"],
        }
        entries.append(
            f"{{path = {lua(form['path'])}, body = {lua(urllib.parse.urlencode(fields))}}}"
        )
    tokens = ",\n  ".join(lua(urllib.parse.quote(value, safe="")) for value in started)
    return (
        f"return {{tag = {lua(tag)}, cookie = {lua(cookie)}, forms = {{\n  "
        + ",\n  ".join(entries)
        + f"\n}}, started = {{\n  {tokens}\n}}}}\n"
    )


def signed_started(env: dict, count: int) -> list[str]:
    """`count` echo.forms.sign_started(an hour ago), signed with the benchmark's secret key."""
    code = (
        "import time, django; django.setup(); from echo.forms import sign_started; "
        f"print('\\n'.join(sign_started(time.time() - 3600) for _ in range({count})))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-count:]


def submit_once(server: Server, lua_data: str) -> None:
    """One POST through urllib, to check that a submission is really stored (302 and a new
    row), not refused or caught by the bot traps."""
    path = re.search(r'path = "([^"]+)"', lua_data).group(1)
    body = json.loads(re.search(r'body = ("(?:[^"\\]|\\.)*")', lua_data).group(1))
    cookie = json.loads(re.search(r'cookie = ("(?:[^"\\]|\\.)*")', lua_data).group(1))
    before = db_scalar("SELECT count(*) FROM echo_registrationrequest")
    # The last token: wrk's requests take them from the first on.
    started = json.loads(re.findall(r'^  ("(?:[^"\\]|\\.)*")$', lua_data, re.MULTILINE)[-1])
    data = (body + f"&email=bench-check%40example.org&form_started={started}").encode()
    status, _, _ = fetch(
        server.base + path,
        data=data,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    after = db_scalar("SELECT count(*) FROM echo_registrationrequest")
    if status != 302 or after != before + 1:
        raise RuntimeError(f"a check submission answered {status}, stored {after - before} rows")


# --- Report ------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = subprocess.run(
        [
            PYTHON,
            "-c",
            "import django, gunicorn, psycopg; "
            "print(django.get_version(), gunicorn.__version__, psycopg.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": mem_kb / 1024 / 1024,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": versions[0],
        "gunicorn": versions[1],
        "psycopg": versions[2],
        "postgresql": db_scalar("SHOW server_version"),
        "wrk": wrk_version[1] if len(wrk_version) > 1 else "?",
    }


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def results_table(rows: list[dict]) -> list[str]:
    lines = [
        "| endpoint | path | page cache | requests/s | p50 ms | p95 ms | p99 ms | × floor "
        "| errors |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | `{row['path']}` | {row['cache']} | {row['rps']:.0f} | "
            f"{ms(row['p50_us'])} | {ms(row['p95_us'])} | {ms(row['p99_us'])} | "
            f"{row['rps'] / row['floor_rps']:.2f} | {row['errors']} |"
        )
    return lines


def targets(rows: list[dict], memory: dict) -> list[tuple[str, str, str]]:
    verdicts = []
    cached = [r for r in rows if r["cache"] == "hit"]
    for row in cached:
        ratio = row["rps"] / row["floor_rps"]
        verdict = (
            "met"
            if ratio >= CACHED_MIN_RATIO
            else f"{BOLD_FAIL} by {CACHED_MIN_RATIO - ratio:.2f}× "
            f"({(CACHED_MIN_RATIO * row['floor_rps'] - row['rps']):.0f} req/s short)"
        )
        verdicts.append(
            (f"cached {row['name']}: ≥ {CACHED_MIN_RATIO}× floor", f"{ratio:.2f}×", verdict)
        )
    for row in rows:
        if row["cache"] != "off" or row["name"] == "floor":
            continue
        p95 = row["p95_us"] / 1000
        verdict = (
            f"{BOLD_FAIL}: no response within the run"
            if not row["requests"]
            else "met"
            if p95 < UNCACHED_P95_MS
            else f"{BOLD_FAIL} by {p95 - UNCACHED_P95_MS:.1f} ms ({p95 / UNCACHED_P95_MS:.1f}×)"
        )
        verdicts.append(
            (f"uncached {row['name']}: p95 < {UNCACHED_P95_MS} ms", f"{p95:.1f} ms", verdict)
        )
    for row in rows:
        if row["name"] != "request submission":
            continue
        p99 = row["p99_us"] / 1000
        verdict = "met" if p99 < SUBMIT_P99_MS else f"{BOLD_FAIL} by {p99 - SUBMIT_P99_MS:.1f} ms"
        verdicts.append(
            (
                f"request submission, {SUBMIT_CONNECTIONS} concurrent: p99 < {SUBMIT_P99_MS} ms",
                f"{p99:.1f} ms",
                verdict,
            )
        )
    for name, workers in memory.items():
        served = sum(w["requests"] for w in workers)
        peak = max(w["hwm_mb"] for w in workers)
        if served < RSS_AFTER_REQUESTS:
            verdict = f"not shown: only {served:,} requests served"
        elif peak < RSS_MAX_MB:
            verdict = "met"
        else:
            verdict = f"{BOLD_FAIL} by {peak - RSS_MAX_MB:.0f} MB"
        verdicts.append(
            (
                f"worker RSS < {RSS_MAX_MB} MB after {RSS_AFTER_REQUESTS:,} requests ({name})",
                f"peak {peak:.0f} MB after {served:,} requests",
                verdict,
            )
        )
    return verdicts


def write_report(ctx: dict) -> Path:
    rows, floor_rps = ctx["rows"], ctx["floor_rps"]
    m = ctx["machine"]
    data = ctx["data"]
    lines = [
        f"# Benchmark results, {ctx['started'].strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']:.1f} GB RAM, Linux "
        f"{m['kernel']}. Python {m['python']}, Django {m['django']}, gunicorn {m['gunicorn']}, "
        f"psycopg {m['psycopg']}, PostgreSQL {m['postgresql']}, wrk {m['wrk']}. "
        f"`make bench` took {ctx['elapsed']:.0f} s. Load average (1, 5, 15 min) at the start: "
        f"{ctx['load'][0]}; at the end: {ctx['load'][1]} (anything else running on the "
        "machine takes CPU from gunicorn, PostgreSQL and wrk alike).",
        "",
        "## Settings",
        "",
        f"- gunicorn with `gunicorn.conf.py`: {WORKERS} sync workers, 1 thread each, "
        "`GUNICORN_MAX_REQUESTS=0` (no recycling, so that a leak would show in the RSS), "
        "access log to a file.",
        "- Production settings: `DJANGO_DEBUG=false`, every security setting on except "
        "`DJANGO_SECURE_SSL_REDIRECT=false` (plain HTTP on loopback); PostgreSQL over TCP on "
        "127.0.0.1 with persistent connections (`DJANGO_CONN_MAX_AGE=60`); the database cache; "
        "emails stored for the mail worker (`PORTAL_EMAIL_IMMEDIATE=false`, none sent); "
        "`PORTAL_BENCH_FLOOR=true`; form limits raised to 10⁹ per address (every request "
        "comes from 127.0.0.1).",
        "- Two servers side by side: page cache on (`PORTAL_PAGE_CACHE_SECONDS` default) and "
        "off (`PORTAL_PAGE_CACHE_SECONDS=0`). Page cache column: `hit` = served from the page "
        "cache (checked by the `X-Portal-Cache` header before measuring), `off` = rendered on "
        "every request.",
        f"- Load: `wrk -t{THREADS} -c{PAGE_CONNECTIONS} -d{SECONDS}s` per row after a "
        f"{WARMUP_SECONDS} s warm-up; submissions with `-c{SUBMIT_CONNECTIONS}`. wrk runs on "
        "the same cores as gunicorn and PostgreSQL. The floor (`/bench/floor/`: a trivial view "
        "behind the full middleware stack) is measured right before each page's two rows and "
        "before the submissions; each row's × floor uses that floor.",
        f"- Data: {data['counts']['resources']:,} resources "
        f"({data['counts']['published_resources']:,} published) over "
        f"{data['counts']['topics']} topics and {data['counts']['audiences']} audiences in two "
        f"collections; {data['counts']['series']} series, {data['counts']['sessions']} sessions, "
        f"{data['counts']['session_materials']:,} session materials, "
        f"{data['counts']['questions']} questions; {data['counts']['requests']:,} requests with "
        f"{data['counts']['answers']:,} answers (loaded in {data['seconds']} s). The search "
        f"`q={data['search']['q']}` matches {data['search']['matches']:,} published resources, "
        f"{data['search']['matches_in_topic']} of them in topic `{data['search']['topic']}`.",
        "",
        "## Results",
        "",
        *results_table(rows),
        "",
        f"Floor: {floor_rps:.0f} requests/s on average over the floor rows. Request submissions "
        f"stored during the run: {ctx['stored']:,} (each answered 302 and added a pending "
        "request, its answers, its history entry and its queued emails).",
        "",
        "## Targets (issue 9)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m_} | {v} |" for t, m_, v in ctx["targets"]],
        "",
        "## gunicorn workers' memory after the run",
        "",
        "| server | worker pid | requests served | peak RSS (VmHWM) MB | RSS now MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, workers in ctx["memory"].items():
        for w in workers:
            lines.append(
                f"| {name} | {w['pid']} | {w['requests']:,} | {w['hwm_mb']:.1f} | "
                f"{w['rss_mb']:.1f} |"
            )
    lines += [
        "",
        f"Requests served in total: {ctx['served']:,} (warm-ups and checks included).",
        "",
        "## Search: EXPLAIN ANALYZE on PostgreSQL",
        "",
    ]
    for plan in ctx["explain"].values():
        lines += [
            f"### {plan['title']}",
            "",
            f"{plan['matches']:,} matches; GIN index `library_resource_search_vector_gin` "
            f"used: **{'yes' if plan['uses_gin'] else 'no'}**.",
            "",
            "```",
            plan["plan"],
            "```",
            "",
        ]
    text = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{ctx['started'].strftime('%Y-%m-%dT%H%M%SZ')}.md"
    path.write_text(text)
    (RESULTS / "latest.md").write_text(text)
    return path


# --- Main --------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(servers: list[Server], tmp: Path) -> None:
    started = datetime.now(UTC)
    load_before = loadavg()
    clock = time.monotonic()
    ensure_wrk()
    ensure_postgres()

    secret_key = secrets.token_urlsafe(50)
    env = bench_env(str(tmp / "static"), secret_key)
    log(f"creating database {DB_NAME}, migrating, collecting static files")
    recreate_database()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    log("loading the data set")
    data = python_json(env, BENCH / "load_data.py", "BENCH-DATA")
    log(f"loaded in {data['seconds']} s: {data['counts']}")
    explain = python_json(
        env,
        BENCH / "explain.py",
        "BENCH-EXPLAIN",
        data["search"]["q"],
        data["search"]["topic"],
        "klamath",
    )

    cached = Server("cache-on", env, tmp)
    uncached = Server("cache-off", {**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}, tmp)
    servers += [cached, uncached]
    for server in servers:
        server.start()
    for server in servers:
        server.wait_ready()
    log(f"gunicorn up: cache on at {cached.base}, cache off at {uncached.base}")

    search = "/library/search/?" + urllib.parse.urlencode(
        {"q": data["search"]["q"], "topic": data["search"]["topic"]}
    )
    pages = [
        ("home", "/"),
        ("library home", "/library/"),
        ("search with facets", search),
        ("resource page", f"/library/resources/{data['resource_slug']}/"),
        ("series page", f"/echo/{data['series_slug']}/"),
        ("archive", "/echo/archive/"),
    ]
    modes = {}
    for name, path in pages:
        modes[(name, "on")] = check_page(cached, path, "hit")
        modes[(name, "off")] = check_page(uncached, path, "off")

    tag = secrets.token_hex(4)
    lua_data = submission_data(cached, data["forms"], env, tag)
    forms_file = tmp / "forms.lua"
    forms_file.write_text(lua_data)
    submit_once(cached, lua_data)

    # The floor is measured right before each pair of page rows (and before submissions):
    # on a shared machine the capacity drifts, so each row is compared with the floor of
    # the same minute.
    rows = []

    def floor() -> float:
        row = measure("floor", cached.base + "/bench/floor/", "-", script="get.lua")
        row["floor_rps"] = row["rps"]
        rows.append(row)
        return row["rps"]

    for name, path in pages:
        floor_rps = floor()
        for server, mode in ((cached, "on"), (uncached, "off")):
            row = measure(name, server.base + path, modes[(name, mode)], script="get.lua")
            row["floor_rps"] = floor_rps
            rows.append(row)
    floor_rps = floor()
    before = db_scalar("SELECT count(*) FROM echo_registrationrequest")
    row = measure(
        "request submission",
        cached.base + data["forms"][0]["path"],
        "-",
        connections=SUBMIT_CONNECTIONS,
        script="submit.lua",
        env={"BENCH_FORMS_LUA": str(forms_file)},
    )
    row["floor_rps"] = floor_rps
    rows.append(row)
    stored = db_scalar("SELECT count(*) FROM echo_registrationrequest") - before
    floors = [r["rps"] for r in rows if r["name"] == "floor"]
    floor_rps = sum(floors) / len(floors)

    memory = {server.name: server.worker_memory() for server in servers}
    served = sum(server.requests_served() for server in servers)
    info = machine()
    for server in servers:
        server.stop()

    ctx = {
        "started": started,
        "machine": info,
        "data": data,
        "rows": rows,
        "floor_rps": floor_rps,
        "stored": stored,
        "memory": memory,
        "served": served,
        "explain": explain,
        "load": (load_before, loadavg()),
    }
    ctx["targets"] = targets(rows, memory)
    ctx["elapsed"] = time.monotonic() - clock
    path = write_report(ctx)

    print()
    print("\n".join(results_table(rows)))
    print()
    for target, measured, verdict in ctx["targets"]:
        print(f"- {target}: {measured}: {verdict}")
    for name, workers in memory.items():
        for w in workers:
            print(
                f"- {name} worker {w['pid']}: {w['requests']:,} requests, "
                f"peak RSS {w['hwm_mb']:.1f} MB"
            )
    for plan in explain.values():
        print(f"- EXPLAIN {plan['title']}: GIN index used: {plan['uses_gin']}")
    print(f"\nWritten to {path.relative_to(ROOT)} and bench/results/latest.md")
    log(f"done in {time.monotonic() - clock:.0f} s")


def main() -> None:
    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so that gunicorn is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    servers: list[Server] = []
    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    ok = False
    try:
        run(servers, tmp)
        ok = True
    finally:
        for server in servers:
            server.stop()
        if ok:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            for server in servers:
                if server.error_log.exists():
                    tail = server.error_log.read_text().splitlines()[-30:]
                    print(f"--- gunicorn {server.name} log (last lines):", *tail, sep="\n")
            print(f"Logs kept in {tmp}", file=sys.stderr)


if __name__ == "__main__":
    main()
