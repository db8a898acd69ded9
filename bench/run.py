"""The benchmark: `make bench` (or `.venv/bin/python bench/run.py`).

Installs wrk from Debian if missing, starts PostgreSQL (.ci/postgres.sh), and for each data
set of BENCH_DATASETS (10k dense with every page, 100k dense with every page, 100k Zipf-like
with the search rows) builds a fresh BENCH_DATABASE with bench/load_data.py, records the
search's EXPLAIN ANALYZE, and starts two gunicorn servers with the production settings on
free loopback ports, 2 workers each: one with the page cache on (the default), one with
PORTAL_PAGE_CACHE_SECONDS=0. wrk then drives the floor endpoint, the public pages (cached and
uncached), the varied search (a different URL on every request, bench/wrk/varied.lua) and,
on the first data set, request submissions. The table (requests/s, p50/p95/p99, ratio to the
floor measured in the same run), issue 14's and issue 9's targets, each worker's peak RSS and
the plans are printed and written to bench/results/<UTC date-time>.md and
bench/results/latest.md (and the 100k plans to bench/results/explain-100k-*.md).

Traffic goes to 127.0.0.1 only. gunicorn is stopped however the run ends; PostgreSQL is left
running. Environment knobs: BENCH_SECONDS (per endpoint, default 10), BENCH_WARMUP_SECONDS
(default 2), BENCH_DATABASE (default portal_bench), BENCH_DATASETS.
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
# gunicorn workers per server: gunicorn.conf.py's own default (2 per core, plus one) unless
# BENCH_WORKERS says otherwise.
WORKERS = int(os.environ.get("BENCH_WORKERS") or (os.cpu_count() or 1) * 2 + 1)
PAGE_CONNECTIONS = 16
SUBMIT_CONNECTIONS = 10
THREADS = 2
CSRF_COOKIE = "__Host-csrftoken"  # the production name (debug off)

# Data sets: resources:vocabulary:scope (see parse_datasets).
DATASETS = os.environ.get(
    "BENCH_DATASETS", "10000:dense:pages,100000:dense:pages,100000:zipf:search"
)
VARIED_CONNECTIONS = 4

# Issue 14's targets, at LARGE_RESOURCES resources.
LARGE_RESOURCES = 100_000
LOAD_MAX_SECONDS = 180
VARIED_MIN_RATIO = 0.1
VARIED_P95_MS = 50
UNCACHED_MIN_RATIO = 0.3
CACHED_MIN_RATIO_14 = 0.8
# The row of /bench/page-floor/: the header and footer around one paragraph.
PAGE_FLOOR = "page floor"

# Issue 9's targets (the first data set).
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
    done = subprocess.run(
        [PYTHON, str(script), *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    out = done.stdout
    for line in done.stderr.splitlines():
        if line.startswith(f"{script.stem}: "):  # the script's progress notes
            log(line)
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
    """GET a page until it comes from the page cache (each worker keeps its own pages, so
    the first answer from each is a miss), or as many times as there are workers plus one;
    the last answer's X-Portal-Cache tells whether it was cached."""
    status, _, _ = fetch(server.base + path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status} on {server.name}")
    for _ in range(WORKERS + 1):
        status, headers, _ = fetch(server.base + path)
        seen = headers.get("X-Portal-Cache") or "off"
        if seen == expect_cache:
            break
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
        "| data | endpoint | path | page cache | connections | requests/s | p50 ms | p95 ms "
        "| p99 ms | × floor | errors |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['data']} | {row['name']} | `{row['path']}` | {row['cache']} | "
            f"{row['connections']} | {row['rps']:.0f} | {ms(row['p50_us'])} | "
            f"{ms(row['p95_us'])} | {ms(row['p99_us'])} | "
            f"{row['rps'] / row['floor_rps']:.2f} | {row['errors']} |"
        )
    return lines


def ratio_verdict(ratio: float, minimum: float, row: dict) -> str:
    if ratio >= minimum:
        return "met"
    short = minimum * row["floor_rps"] - row["rps"]
    return f"{BOLD_FAIL} by {minimum - ratio:.2f}× ({short:.0f} req/s short)"


def targets_issue_9(rows: list[dict], memory: dict) -> list[tuple[str, str, str]]:
    """The first data set's rows against issue 9's targets (kept for comparison)."""
    verdicts = []
    for row in rows:
        if row["cache"] == "hit" and row["name"] != "varied search":
            ratio = row["rps"] / row["floor_rps"]
            verdicts.append(
                (
                    f"{row['data']}: cached {row['name']}: ≥ {CACHED_MIN_RATIO}× floor",
                    f"{ratio:.2f}×",
                    ratio_verdict(ratio, CACHED_MIN_RATIO, row),
                )
            )
    for row in rows:
        if row["cache"] != "off" or row["name"] in ("floor", PAGE_FLOOR, "varied search"):
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
            (
                f"{row['data']}: uncached {row['name']}: p95 < {UNCACHED_P95_MS} ms",
                f"{p95:.1f} ms",
                verdict,
            )
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


def targets_issue_14(rows: list[dict], datasets: list[dict]) -> list[tuple[str, str, str]]:
    """Issue 14's targets, for every data set of 100,000 resources or more."""
    verdicts = []
    for ds in datasets:
        if ds["resources"] < LARGE_RESOURCES:
            continue
        label = ds["label"]
        seconds = ds["data"]["seconds"]
        verdicts.append(
            (
                f"{label}: data loads in < {LOAD_MAX_SECONDS} s",
                f"{seconds:.0f} s",
                "met" if seconds < LOAD_MAX_SECONDS else f"{BOLD_FAIL} by {seconds - 180:.0f} s",
            )
        )
        for row in rows:
            if row["data"] != label or row["name"] in ("floor", PAGE_FLOOR, "request submission"):
                continue
            ratio = row["rps"] / row["floor_rps"]
            if row["name"] == "varied search":
                verdicts.append(
                    (
                        f"{label}: varied search ≥ {VARIED_MIN_RATIO}× floor",
                        f"{ratio:.2f}×",
                        ratio_verdict(ratio, VARIED_MIN_RATIO, row),
                    )
                )
                p95 = row["p95_us"] / 1000
                verdicts.append(
                    (
                        f"{label}: varied search p95 < {VARIED_P95_MS} ms at "
                        f"{VARIED_CONNECTIONS} connections",
                        f"{p95:.1f} ms",
                        "met"
                        if p95 < VARIED_P95_MS
                        else f"{BOLD_FAIL} by {p95 - VARIED_P95_MS:.1f} ms "
                        f"({p95 / VARIED_P95_MS:.1f}×)",
                    )
                )
            elif row["cache"] == "off":
                verdicts.append(
                    (
                        f"{label}: uncached {row['name']} ≥ {UNCACHED_MIN_RATIO}× floor",
                        f"{ratio:.2f}×",
                        ratio_verdict(ratio, UNCACHED_MIN_RATIO, row),
                    )
                )
            else:
                verdicts.append(
                    (
                        f"{label}: cached {row['name']} ≥ {CACHED_MIN_RATIO_14}× floor",
                        f"{ratio:.2f}×",
                        ratio_verdict(ratio, CACHED_MIN_RATIO_14, row),
                    )
                )
    return verdicts


def data_line(ds: dict) -> str:
    data = ds["data"]
    c = data["counts"]
    return (
        f"- **{ds['label']}** ({ds['vocabulary']} vocabulary): {c['resources']:,} resources "
        f"({c['published_resources']:,} published) over {c['topics']} topics and "
        f"{c['audiences']} audiences in two collections; {c['series']} series, "
        f"{c['sessions']} sessions, {c['session_materials']:,} session materials, "
        f"{c['questions']} questions; {c['requests']:,} requests with {c['answers']:,} "
        f"answers (loaded in {data['seconds']} s). The search `q={data['search']['q']}` "
        f"matches {data['search']['matches']:,} published resources, "
        f"{data['search']['matches_in_topic']} of them in topic `{data['search']['topic']}`; "
        f"the varied row cycles through {len(data['varied']):,} distinct search URLs."
    )


def explain_lines(ds: dict) -> list[str]:
    lines = []
    for plan in ds["explain"].values():
        lines += [
            f"### {ds['label']}: {plan['title']}",
            "",
            f"{'about ' if plan.get('estimated') else ''}{plan['matches']:,} matches"
            f"{' (estimated from the sample)' if plan.get('estimated') else ''}; the whole "
            f"search (`resource_search`, one call in process) took {plan['search_ms']} ms; a "
            f"GIN index on the search vector used: "
            f"**{'yes' if plan['uses_gin'] else 'no'}**.",
            "",
            "```",
            plan["plan"],
            "```",
            "",
        ]
    return lines


def write_report(ctx: dict) -> Path:
    rows = ctx["rows"]
    m = ctx["machine"]
    floors = {}
    for row in rows:
        if row["name"] == "floor":
            floors.setdefault(row["data"], []).append(row["rps"])
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
        "- Two servers side by side per data set: page cache on (`PORTAL_PAGE_CACHE_SECONDS` "
        "default) and off (`PORTAL_PAGE_CACHE_SECONDS=0`). Page cache column: `hit` = served "
        "from the page cache (checked by the `X-Portal-Cache` header before measuring), "
        "`off` = rendered on every request.",
        f"- Load: `wrk -t{THREADS} -c{PAGE_CONNECTIONS} -d{SECONDS}s` per row after a "
        f"{WARMUP_SECONDS} s warm-up; submissions with `-c{SUBMIT_CONNECTIONS}`; the varied "
        f"search row with `-c{VARIED_CONNECTIONS}` against the cache-on server "
        "(`bench/wrk/varied.lua`: a different search URL on every request, other URLs in the "
        "warm-up, so the page cache cannot help). wrk runs on the same cores as gunicorn and "
        "PostgreSQL. The floor (`/bench/floor/`: a trivial view behind the full middleware "
        "stack) is measured right before each page's rows; each row's × floor uses that floor. "
        "The page floor (`/bench/page-floor/`, never cached) is the site's header and footer "
        "around one paragraph: what every page costs before its own content.",
        "- Data sets, each loaded into a fresh database (the dense vocabulary is the worst "
        "case for search: most words are in 50-100 % of the resources; the Zipf one has "
        "20,000 words whose frequency falls off as 1/rank, as in real text):",
        *[data_line(ds) for ds in ctx["datasets"]],
        "",
        "## Results",
        "",
        *results_table(rows),
        "",
        "Floor per data set: "
        + "; ".join(
            f"{label} {sum(values) / len(values):.0f} requests/s on average"
            for label, values in floors.items()
        )
        + f". Request submissions stored during the run: {ctx['stored']:,} (each answered "
        "302 and added a pending request, its answers, its history entry and its queued "
        "emails).",
        "",
        "## Targets (issue 14: 100,000 resources)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m_} | {v} |" for t, m_, v in ctx["targets_14"]],
        "",
        "## Targets (issue 9, first data set)",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
        *[f"| {t} | {m_} | {v} |" for t, m_, v in ctx["targets_9"]],
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
        "The statements the search page runs: the count in the library's sample "
        "(library/broad_search.py), then, for a broad query, the window of newest matches, "
        "or else the one exact statement (library/search.py): the match set, the total, "
        "the four facets' counts and the page's ids.",
        "",
    ]
    for ds in ctx["datasets"]:
        lines += explain_lines(ds)
    text = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    stamp = ctx["started"].strftime("%Y-%m-%dT%H%M%SZ")
    path = RESULTS / f"{stamp}.md"
    path.write_text(text)
    (RESULTS / "latest.md").write_text(text)
    for ds in ctx["datasets"]:
        if ds["resources"] >= LARGE_RESOURCES:
            name = ds["label"].replace(" ", "-")
            (RESULTS / f"explain-{name}.md").write_text(
                "\n".join(
                    [
                        f"# EXPLAIN ANALYZE of the library search, {ds['label']} "
                        f"(from the run of {stamp}, {path.name})",
                        "",
                        data_line(ds),
                        "",
                        *explain_lines(ds),
                    ]
                )
            )
    return path


# --- Main --------------------------------------------------------------------------------


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def parse_datasets(text: str) -> list[dict]:
    """BENCH_DATASETS: comma-separated `resources:vocabulary:scope` (scope `pages`: every
    page, cached and not; `search`: the search rows only)."""
    datasets = []
    for part in text.split(","):
        resources, vocabulary, scope = part.strip().split(":")
        n = int(resources)
        size = f"{n // 1000}k" if n >= 1000 else str(n)
        datasets.append(
            {
                "resources": n,
                "vocabulary": vocabulary,
                "scope": scope,
                "label": f"{size} {vocabulary}",
            }
        )
    return datasets


def run_dataset(ds: dict, env: dict, servers: list, tmp: Path, first: bool, ctx: dict) -> None:
    label = ds["label"]
    data_env = {
        **env,
        "BENCH_RESOURCES": str(ds["resources"]),
        "BENCH_VOCABULARY": ds["vocabulary"],
    }
    log(f"[{label}] creating database {DB_NAME}, migrating")
    recreate_database()
    manage(env, "migrate", "--no-input", "-v0")
    if first:
        manage(env, "collectstatic", "--no-input", "-v0")
    log(f"[{label}] loading the data set")
    data = python_json(data_env, BENCH / "load_data.py", "BENCH-DATA")
    ds["data"] = data
    log(f"[{label}] loaded in {data['seconds']} s: {data['counts']}")
    ds["explain"] = python_json(
        env,
        BENCH / "explain.py",
        "BENCH-EXPLAIN",
        data["explain_words"]["broad"],
        data["explain_words"]["narrow"],
        data["search"]["q"],
        data["search"]["topic"],
    )
    for plan in ds["explain"].values():
        log(
            f"[{label}] EXPLAIN {plan['title']}: {plan['matches']:,} matches, "
            f"{plan['search_ms']} ms"
        )

    slug = label.replace(" ", "-")
    cached = Server(f"{slug}-cache-on", env, tmp)
    uncached = Server(f"{slug}-cache-off", {**env, "PORTAL_PAGE_CACHE_SECONDS": "0"}, tmp)
    servers += [cached, uncached]
    for server in (cached, uncached):
        server.start()
    for server in (cached, uncached):
        server.wait_ready()
    log(f"[{label}] gunicorn up: cache on at {cached.base}, cache off at {uncached.base}")

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
    if ds["scope"] != "pages":
        pages = [page for page in pages if page[0] == "search with facets"]
    modes = {}
    for name, path in pages:
        modes[(name, "on")] = check_page(cached, path, "hit")
        modes[(name, "off")] = check_page(uncached, path, "off")
    varied_file = tmp / f"varied-{slug}.lua"
    varied_file.write_text(
        "return {\n" + ",\n".join(json.dumps(url) for url in data["varied"]) + "\n}\n"
    )
    for url in data["varied"][:20]:  # every kind of URL answers a page
        status, _, _ = fetch(uncached.base + url)
        if status != 200:
            raise RuntimeError(f"{url} answered {status}")

    rows = ctx["rows"]

    def add(row: dict, floor_rps: float, connections: int) -> None:
        row.update(data=label, floor_rps=floor_rps, connections=connections)
        rows.append(row)

    def floor() -> float:
        row = measure("floor", cached.base + "/bench/floor/", "-", script="get.lua")
        add(row, row["rps"], PAGE_CONNECTIONS)
        return row["rps"]

    # The floor is measured right before each page's rows: on a shared machine the
    # capacity drifts, so each row is compared with the floor of the same minute.
    if ds["scope"] == "pages":
        # What any page costs before its own content: the header and footer (never cached).
        floor_rps = floor()
        row = measure(PAGE_FLOOR, uncached.base + "/bench/page-floor/", "-", script="get.lua")
        add(row, floor_rps, PAGE_CONNECTIONS)
    for name, path in pages:
        floor_rps = floor()
        for server, mode in ((cached, "on"), (uncached, "off")):
            row = measure(name, server.base + path, modes[(name, mode)], script="get.lua")
            add(row, floor_rps, PAGE_CONNECTIONS)

    floor_rps = floor()
    varied_env = {"BENCH_VARIED_LUA": str(varied_file)}
    wrk(
        cached.base + "/",
        connections=VARIED_CONNECTIONS,
        seconds=WARMUP_SECONDS,
        script="varied.lua",
        env={**varied_env, "BENCH_VARIED_OFFSET": str(len(data["varied"]) // 2)},
    )
    row = wrk(
        cached.base + "/",
        connections=VARIED_CONNECTIONS,
        seconds=SECONDS,
        script="varied.lua",
        env=varied_env,
    )
    row.update(
        name="varied search",
        path=f"/library/search/?… ({len(data['varied']):,} URLs)",
        cache="varied",
    )
    log(
        f"{'varied search':<28} {'varied':<8} {row['rps']:8.0f} req/s  p50 "
        f"{row['p50_us'] / 1000:6.1f}  p95 {row['p95_us'] / 1000:6.1f}  p99 "
        f"{row['p99_us'] / 1000:6.1f} ms  errors {row['errors']}"
    )
    add(row, floor_rps, VARIED_CONNECTIONS)

    if first:
        tag = secrets.token_hex(4)
        lua_data = submission_data(cached, data["forms"], env, tag)
        forms_file = tmp / "forms.lua"
        forms_file.write_text(lua_data)
        submit_once(cached, lua_data)
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
        add(row, floor_rps, SUBMIT_CONNECTIONS)
        ctx["stored"] = db_scalar("SELECT count(*) FROM echo_registrationrequest") - before
        ctx["memory_first"] = {s.name: s.worker_memory() for s in (cached, uncached)}

    for server in (cached, uncached):
        ctx["memory"][server.name] = server.worker_memory()
        ctx["served"] += server.requests_served()
        server.stop()


def run(servers: list[Server], tmp: Path) -> None:
    started = datetime.now(UTC)
    load_before = loadavg()
    clock = time.monotonic()
    ensure_wrk()
    ensure_postgres()

    secret_key = secrets.token_urlsafe(50)
    env = bench_env(str(tmp / "static"), secret_key)
    datasets = parse_datasets(DATASETS)
    ctx = {
        "started": started,
        "datasets": datasets,
        "rows": [],
        "stored": 0,
        "memory": {},
        "memory_first": {},
        "served": 0,
    }
    for i, ds in enumerate(datasets):
        run_dataset(ds, env, servers, tmp, i == 0, ctx)

    ctx["machine"] = machine()
    ctx["load"] = (load_before, loadavg())
    first_label = datasets[0]["label"]
    ctx["targets_9"] = targets_issue_9(
        [r for r in ctx["rows"] if r["data"] == first_label], ctx["memory_first"]
    )
    ctx["targets_14"] = targets_issue_14(ctx["rows"], datasets)
    ctx["elapsed"] = time.monotonic() - clock
    path = write_report(ctx)

    print()
    print("\n".join(results_table(ctx["rows"])))
    print()
    for target, measured, verdict in ctx["targets_14"] + ctx["targets_9"]:
        print(f"- {target}: {measured}: {verdict}")
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
