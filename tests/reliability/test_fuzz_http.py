"""Raw HTTP through nginx and gunicorn: 1,000 requests built from odd methods, paths, charsets,
encodings, framings and header sizes. None may get a server error (500-504), and every
answer carries the security headers; every refusal is branded."""

import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from .conftest import BEHIND_PROXY
from .proxy import SERVER_NAME, read_reply
from .servers import CSRF_COOKIE, registration_data

pytestmark = pytest.mark.reliability

CASES = 1000
SEED = 18
CSRF = "f" * 32
FORM = "/echo/reliability/request/"
# Every refusal a person could meet carries the portal's name; 505 is nginx's correct answer
# to "HTTP/2.0" in a plain request line, branded like a 400.
BRANDED_STATUSES = {400, 403, 404, 405, 413, 414, 429, 500, 503, 505}
SERVER_ERRORS = {500, 501, 502, 503, 504}

METHODS = [
    "GET", "GET", "GET", "POST", "POST", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS",
    "TRACE", "PROPFIND", "get", "G=T", "POST\x00",
]  # fmt: skip
CONTENT_TYPES = [
    None,
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=iso-8859-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "application/x-www-form-urlencoded; charset=",
    'application/x-www-form-urlencoded; charset="utf-8"',
    "application/x-www-form-urlencoded; charset=utf-8; charset=latin-1",
    "application/x-www-form-urlencoded; charset=\x7f",
    "multipart/form-data",
    "multipart/form-data; boundary=fuzz",
    "multipart/form-data; boundary=" + "b" * 80,
    "multipart/form-data; boundary=fuzz; charset=cp1252",
    "application/json",
    "text/plain; charset=koi8-r",
    "text/html; charset",
    ";;;",
]
CONTENT_ENCODINGS = [None, None, None, "gzip", "br", "deflate, gzip", "x-nonsense", "identity"]
VERSIONS = ["HTTP/1.1"] * 8 + ["HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "HTTP/9.9"]
HOSTS = [SERVER_NAME] * 10 + ["evil.example", "", f"{SERVER_NAME}:99999", "127.0.0.1", "a" * 300]


def paths(token: str) -> list[str]:
    return [
        "/", "/echo/", "/library/", "/what-is-deflection/", FORM, FORM, FORM,
        "/echo/reliability/request/received/", f"/echo/requests/{token}/",
        "/echo/requests/" + "x" * 30 + "/", "/admin/login/", "/admin/login/?next=/admin/",
        "/admin/", "/static/css/site.css", "/static/../settings.py", "/%ff%fe/",
        "/library/search/?q=%ff%fe", "/library/search/?q=deflection&page=-1",
        "/library/search/?page=99999999999999999999999", "/echo/?page=abc",
        "/..%2f..%2fetc/passwd", "/library/search/?q=" + "a" * 3000,
        "/library/search/?topic=x&topic=y&type=%00", "/library/search/?q=%00%01%02",
        "*", "http://evil.example/", "/echo/reliability/?%zz=%zz", "/\u00e9\u00e8/",
        "/library/search/?sort=" + quote("' OR 1=1 --"), "/admin/login/?next=https://evil.example/",
        "/errors/too-large/", "/_portal_errors/unavailable.html", "/echo/reliability/calendar.ics",
    ]  # fmt: skip


def body_for(rng: random.Random, content_type: str | None, question_ids) -> bytes:
    choice = rng.randrange(9)
    if choice == 0:
        return b""
    if choice == 1:
        data = registration_data(
            f"fuzz{rng.randrange(10**6)}@example.org", question_ids=question_ids
        )
        data["csrfmiddlewaretoken"] = CSRF
        return "&".join(f"{quote(k)}={quote(str(v))}" for k, v in data.items()).encode()
    if choice == 2:
        return b"full_name=\xff\xfe\xfd&email=a%40b.org&csrfmiddlewaretoken=" + CSRF.encode()
    if choice == 3:
        return b"a=1&" * 1500  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
    if choice == 4:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    if choice == 5:
        return (
            b'--fuzz\r\nContent-Disposition: form-data; name="full_name"\r\n\r\n\xe9t\xe9\r\n'
            b'--fuzz\r\nContent-Disposition: form-data; name="f"; filename="../../x.sh"\r\n'
            b"Content-Type: application/x-sh\r\n\r\n#!/bin/sh\r\n--fuzz--\r\n"
        )
    if choice == 6:
        return b"--fuzz\r\nContent-Disposition: form-data; name=\r\n\r\n--fuzz"
    if choice == 7:
        return b'{"full_name": "\\ud800", "email": 5}'
    return ("full_name=" + "\u00e9" * rng.randrange(1, 500)).encode("utf-16")


def build_case(rng: random.Random, token: str, question_ids) -> bytes:
    method = rng.choice(METHODS)
    path = rng.choice(paths(token))
    version = rng.choice(VERSIONS)
    headers = []
    host = rng.choice(HOSTS)
    if host or rng.random() < 0.5:
        headers.append(f"Host: {host}")
    content_type = rng.choice(CONTENT_TYPES)
    body = body_for(rng, content_type, question_ids) if method not in ("GET", "HEAD") else b""
    if rng.random() < 0.1 and method in ("GET", "HEAD"):
        body = b"q=body-on-a-get"
    if content_type is not None:
        headers.append(f"Content-Type: {content_type}")
    encoding = rng.choice(CONTENT_ENCODINGS)
    if encoding:
        headers.append(f"Content-Encoding: {encoding}")
    if rng.random() < 0.6:
        headers.append(f"Cookie: {CSRF_COOKIE}={CSRF}")
        headers.append(f"Origin: https://{SERVER_NAME}")
    extra = rng.randrange(12)
    if extra == 0:
        headers.append("Cookie: x=" + "c" * rng.choice([4000, 7000, 9000, 40000]))
    elif extra == 1:
        headers += [f"X-Fuzz-{n}: {'v' * 50}" for n in range(rng.choice([50, 120, 400]))]
    elif extra == 2:
        headers.append("__Host-sessionid: x; Cookie: __Host-sessionid=" + "z" * 40)
        headers.append("Cookie: __Host-sessionid=not-a-session; __Host-messages=garbage$$")
    elif extra == 3:
        headers.append("X-Forwarded-For: 1.2.3.4, not-an-ip, ::1")
    elif extra == 4:
        headers.append("Accept-Language: " + "x" * 500 + ";q=abc")
    elif extra == 5:
        headers.append("Range: bytes=500-1, -5, 9999999999999999999-")
    elif extra == 6:
        headers.append("Expect: 100-continue")
    elif extra == 7:
        headers.append("X-Latin: caf\xe9")
    elif extra == 8:
        headers.append("X-Folded: first\r\n continued")
    elif extra == 9:
        headers.append("Referer: https://evil.example/\x01")
    elif extra == 10:
        headers.append("If-None-Match: " + '"x", ' * 200)
    framing = rng.randrange(10)
    if framing == 0 and body:
        headers.append("Transfer-Encoding: chunked")
        wire = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    elif framing == 1 and body:
        headers.append("Transfer-Encoding: chunked")
        wire = b"zz\r\n" + body + b"\r\n0\r\n\r\n"  # a chunk size that is not hex
    elif framing == 2:
        headers.append("Content-Length: -1")
        wire = body
    elif framing == 3:
        headers.append(f"Content-Length: {len(body)}")
        headers.append(f"Content-Length: {len(body) + 1}")
        wire = body
    elif framing == 4 and body:
        headers.append(f"Content-Length: {max(0, len(body) - 3)}")  # extra bytes follow
        wire = body
    else:
        if body or method in ("POST", "PUT", "PATCH"):
            headers.append(f"Content-Length: {len(body)}")
        wire = body
    headers.append("Connection: close")
    head = f"{method} {path} {version}\r\n" + "".join(f"{h}\r\n" for h in headers) + "\r\n"
    return head.encode("latin-1", errors="replace") + wire


def send(proxy, raw: bytes):
    started = time.monotonic()
    try:
        with proxy.connect(timeout=20) as sock:
            sock.sendall(raw)
            reply = read_reply(sock)
    except (TimeoutError, ConnectionError, OSError) as error:
        return None, f"{type(error).__name__}", b"", time.monotonic() - started
    return reply.status, reply.head, reply.body, time.monotonic() - started


def test_a_thousand_raw_requests_get_no_server_error_and_every_refusal_is_branded(
    throwaway_pg, fresh_database, seed, start_gunicorn, start_proxy
):
    server = start_gunicorn(
        database_url=throwaway_pg.url(fresh_database),
        PORTAL_REQUESTS_PER_10_MINUTES="100000",
        PORTAL_REQUESTS_PER_DAY="100000",
        **BEHIND_PROXY,
    )
    proxy = start_proxy(server.port)
    rng = random.Random(SEED)
    cases = [build_case(rng, seed["token"], seed["question_ids"]) for _ in range(CASES)]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        replies = list(pool.map(lambda raw: send(proxy, raw), cases))
    took = time.monotonic() - started

    statuses = Counter(status for status, *_ in replies)
    server_errors, unbranded, no_headers, no_answer = [], [], [], []
    for raw, (status, head, body, _) in zip(cases, replies, strict=True):
        first_line = raw.split(b"\r\n", 1)[0][:120]
        if status is None:
            no_answer.append((first_line, head[:80]))
            continue
        lower = head.lower()
        if status in SERVER_ERRORS:
            server_errors.append((status, first_line))
        if "x-content-type-options: nosniff" not in lower:
            no_headers.append((status, first_line))
        if (
            status in BRANDED_STATUSES
            and not raw.startswith(b"HEAD ")
            and (b"Deflection Portal" not in body)
        ):
            unbranded.append((status, first_line))
    print(
        f"\nfuzz: {CASES} raw requests through nginx and gunicorn in {took:.1f} s; statuses "
        f"{dict(sorted(statuses.items(), key=lambda item: str(item[0])))}; "
        f"{len(server_errors)} server errors (500-504), {len(unbranded)} unbranded refusals, "
        f"{len(no_headers)} without the headers, {len(no_answer)} closed without an answer"
    )
    assert server_errors == []
    assert unbranded == []
    assert no_headers == []
    # nginx closes only what is not HTTP at all; everything else gets an answer.
    assert len(no_answer) <= CASES // 100, no_answer[:10]
    assert "WORKER TIMEOUT" not in server.log_text()
    # Django logs every 500 as "Internal Server Error": there is none.
    assert "Internal Server Error" not in server.log_text()
