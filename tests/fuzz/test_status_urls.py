"""Fuzzing the applicant's status URL: random, near-miss, over-long and hostile tokens, by GET
and POST. Only the exact token opens a request; nothing else is a 500 or changes a request."""

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from echo.models import RegistrationRequest, RequestState
from tests.factories import make_request

from .conftest import FUZZ, hostile_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def known():
    request = make_request()
    return request.access_token


def near_misses(token: str):
    def flip(i: int) -> str:
        return token[:i] + chr(ord(token[i]) ^ 1) + token[i + 1 :]

    return st.one_of(
        st.just(token.upper()),
        st.just(token.swapcase()),
        st.just(token[:-1]),
        st.just(token + "x"),
        st.just(" " + token),
        st.just(token + "\x00"),
        st.just(token + "/../"),
        st.integers(0, len(token) - 1).map(lambda i: token[:i] + "\x00" + token[i + 1 :]),
        st.integers(0, len(token) - 1).map(flip),
        st.just(token * 2),
    )  # fmt: skip


tokens = st.one_of(
    hostile_text,
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=64),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        min_size=40,
        max_size=70,
    ),
    st.integers(-(10**30), 10**30).map(str),
)


@FUZZ
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]))
def test_status_url_never_fails_and_only_the_exact_token_opens(client, known, data, method):
    token = data.draw(st.one_of(tokens, near_misses(known)), label="token")
    form = data.draw(
        st.fixed_dictionaries({}, optional={"confirm": st.one_of(hostile_text, st.just("x"))}),
        label="form",
    )
    path = "/echo/requests/" + quote(token, safe="") + "/"
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, form)
    assert response.status_code in (200, 302, 404), response.status_code
    if token != known:
        assert response.status_code == 404
    # Nothing but the exact token and the exact confirmation may withdraw the request.
    assert RegistrationRequest.objects.get(access_token=known).state == RequestState.PENDING
