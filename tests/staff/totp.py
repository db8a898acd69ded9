"""Time-based one-time codes (RFC 6238) computed from an otpauth:// URI, independently of
the portal's own code, as an authenticator app on a phone would."""

import hashlib
import hmac
import struct
import time
from base64 import b32decode
from urllib.parse import parse_qs, urlsplit


def secret_from_uri(uri: str) -> bytes:
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp", uri
    query = parse_qs(parts.query)
    secret = query["secret"][0].upper()
    return b32decode(secret + "=" * (-len(secret) % 8))


def totp(secret: bytes, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def code_from_uri(uri: str, *, steps_ahead: int = 0) -> str:
    """The code the app shows now, or `steps_ahead` 30-second steps later (a code already
    used once is refused, so a login right after set-up uses the next one)."""
    query = parse_qs(urlsplit(uri).query)
    step = int(query.get("period", ["30"])[0])
    digits = int(query.get("digits", ["6"])[0])
    return totp(secret_from_uri(uri), at=time.time() + steps_ahead * step, step=step, digits=digits)
