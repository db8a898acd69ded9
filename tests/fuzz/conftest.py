"""Shared settings of the fuzz suite: 1,000 generated inputs per test, through Django's test
client, with the rate limits out of the way."""

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

FUZZ = hypothesis_settings(
    max_examples=1000,
    deadline=None,
    # The database and client fixtures are shared by every example of a test on purpose:
    # each example counts rows before and after itself.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    # Nothing written into the checkout; a failure prints its example and a reproduce blob.
    database=None,
    print_blob=True,
)
# The raw-bytes variants come on top of the 1,000 structured inputs of the same page.
FUZZ_RAW = hypothesis_settings(FUZZ, max_examples=200)

# Text a hostile client may send: any characters, NUL and control bytes, right-to-left and
# zero-width marks, markup, SQL and search syntax, very long values.
HOSTILE_FRAGMENTS = [
    "\x00",
    "\x00\x00abc",
    "\r\n",
    "\u202e",
    "\u200b",
    "\ufeff",
    "💥",
    "é",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '"; DROP TABLE echo_registrationrequest; --',
    "%00",
    "%s%s%n",
    "{{ settings.SECRET_KEY }}",
    "../../etc/passwd",
    "a:*",
    "!(a | b) & c",
    '"unterminated',
    "-",
    "  ",
]

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("\x00\t\n\r\x0b\x0c\x1b\x7f\u0085\u2028 a-é"), max_size=30),
    st.sampled_from(HOSTILE_FRAGMENTS),
    st.lists(st.sampled_from(HOSTILE_FRAGMENTS), min_size=2, max_size=6).map("".join),
    st.builds(lambda char, n: char * n, st.sampled_from("xé💥\x00 "), st.integers(200, 12000)),
)


@pytest.fixture
def no_rate_limits(settings):
    settings.PORTAL_REQUESTS_PER_10_MINUTES = 10**9
    settings.PORTAL_REQUESTS_PER_DAY = 10**9
